//! How values look on WeCom's wire, and how leniently they are read back.
//!
//! Generated fields name an adapter: `#[serde(with = "As::<Option<Lenient>>")]`. An adapter
//! ("marker") says how to encode and decode one Rust type; containers compose them, so
//! `Vec<Flag>` is a list of 0/1 booleans. The real server is inconsistent, so decoding accepts
//! every spelling it has been seen to use: numbers as strings and the reverse, `""` for an absent
//! number, `0`/`1` for booleans, `null` for lists.

use std::collections::BTreeMap;
use std::fmt::{self, Display};
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

/// The bridge serde's `with = "…"` attribute calls: `As::<M>::serialize` / `deserialize`.
pub struct As<M>(PhantomData<M>);

impl<M> As<M> {
    pub fn serialize<T, S>(value: &T, serializer: S) -> Result<S::Ok, S::Error>
    where
        M: Encode<T>,
        S: Serializer,
    {
        M::encode(value, serializer)
    }

    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<T, D::Error>
    where
        M: Decode<T>,
        D: Deserializer<'de>,
    {
        M::decode(deserializer)
    }
}

pub trait Encode<T: ?Sized>: Sized {
    fn encode<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error>;
}

pub trait Decode<T>: Sized {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error>;

    /// How an optional value decodes: `null` is `None`. Scalars also read `""` as `None`.
    fn decode_option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
        struct OptionVisitor<M, T>(PhantomData<fn() -> (M, T)>);
        impl<'de, M: Decode<T>, T> Visitor<'de> for OptionVisitor<M, T> {
            type Value = Option<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                M::decode(d).map(Some)
            }
        }
        deserializer.deserialize_option(OptionVisitor::<Self, T>(PhantomData))
    }
}

/// A value encoded through `M`, for serializers that want `Serialize`.
struct Encoded<'a, M, T: ?Sized>(&'a T, PhantomData<M>);

impl<M: Encode<T>, T: ?Sized> Serialize for Encoded<'_, M, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        M::encode(self.0, serializer)
    }
}

/// A value decoded through `M`, for deserializers that want `Deserialize`.
struct Decoded<M, T>(PhantomData<fn() -> (M, T)>);

impl<'de, M: Decode<T>, T> DeserializeSeed<'de> for Decoded<M, T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        M::decode(deserializer)
    }
}

fn decoded<M, T>() -> Decoded<M, T> {
    Decoded(PhantomData)
}

// ---------------------------------------------------------------------------------------------
// Leaves.

/// Serde's own encoding and decoding (named types, whose fields are lenient themselves).
pub struct Plain;

impl<T: Serialize + ?Sized> Encode<T> for Plain {
    fn encode<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }
}

impl<T: DeserializeOwned> Decode<T> for Plain {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        T::deserialize(deserializer)
    }
}

/// Scalars as serde writes them, read back from whatever spelling the server used.
pub struct Lenient;

/// `0`/`1` on the wire, `bool` in Rust.
pub struct Flag;

/// A number or integer enum written as a JSON string (`"gender": "1"`), read from either form.
pub struct Str<M>(PhantomData<M>);

/// A list written as one `|`-joined string (`"a|b"`), read from that or from an array.
pub struct Piped<M, const SEP: char = '|'>(PhantomData<M>);

/// A list written as one `,`-joined string (`"1,2,3"`), as callback documents carry ids.
pub type Commas<M> = Piped<M, ','>;

/// A secret written in clear: only where the wire demands it.
pub struct Expose;

impl Encode<crate::Secret> for Expose {
    fn encode<S: Serializer>(value: &crate::Secret, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(value.expose())
    }
}

impl Decode<crate::Secret> for Expose {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<crate::Secret, D::Error> {
        <Lenient as Decode<String>>::decode(deserializer).map(crate::Secret::from)
    }
}

impl<T: Serialize + ?Sized> Encode<T> for Lenient {
    fn encode<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }
}

/// What any JSON scalar (or null) can be read as; integers keep their full 64 bits.
enum Scalar<'a> {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(std::borrow::Cow<'a, str>),
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, string, boolean or null")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::I64(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::U64(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::F64(v))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(v.into()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(v.to_owned().into()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(v.into()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

fn scalar<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Scalar<'de>, D::Error> {
    deserializer.deserialize_any(ScalarVisitor)
}

macro_rules! lenient_integer {
    ($($t:ty),*) => {$(
        impl Decode<$t> for Lenient {
            fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<$t, D::Error> {
                Ok(integer::<$t, D::Error>(scalar(deserializer)?)?.unwrap_or_default())
            }
            fn decode_option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<$t>, D::Error> {
                integer::<$t, D::Error>(scalar(deserializer)?)
            }
        }
    )*};
}

lenient_integer!(i8, i16, i32, i64, u8, u16, u32, u64);

/// An integer from any scalar: `None` for null and blank strings.
fn integer<T, E>(value: Scalar<'_>) -> Result<Option<T>, E>
where
    T: TryFrom<i64> + TryFrom<u64> + FromStr,
    E: de::Error,
{
    let out_of_range = |v: &dyn Display| {
        E::custom(format_args!(
            "{v} is out of range for {}",
            std::any::type_name::<T>()
        ))
    };
    match value {
        Scalar::Null => Ok(None),
        Scalar::Bool(b) => T::try_from(u64::from(b)).map(Some).map_err(|_| out_of_range(&b)),
        Scalar::I64(v) => T::try_from(v).map(Some).map_err(|_| out_of_range(&v)),
        Scalar::U64(v) => T::try_from(v).map(Some).map_err(|_| out_of_range(&v)),
        Scalar::F64(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => {
            T::try_from(v as i64).map(Some).map_err(|_| out_of_range(&v))
        }
        Scalar::F64(v) => Err(E::custom(format_args!("expected an integer, found {v}"))),
        Scalar::Str(s) => {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            s.parse::<T>()
                .map(Some)
                .map_err(|_| E::custom(format_args!("expected an integer, found {s:?}")))
        }
    }
}

impl Decode<f64> for Lenient {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        Ok(float::<D::Error>(scalar(deserializer)?)?.unwrap_or_default())
    }
    fn decode_option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
        float(scalar(deserializer)?)
    }
}

fn float<E: de::Error>(value: Scalar<'_>) -> Result<Option<f64>, E> {
    match value {
        Scalar::Null => Ok(None),
        Scalar::Bool(b) => Ok(Some(f64::from(u8::from(b)))),
        Scalar::I64(v) => Ok(Some(v as f64)),
        Scalar::U64(v) => Ok(Some(v as f64)),
        Scalar::F64(v) => Ok(Some(v)),
        Scalar::Str(s) if s.trim().is_empty() => Ok(None),
        Scalar::Str(s) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| E::custom(format_args!("expected a number, found {s:?}"))),
    }
}

impl Decode<bool> for Lenient {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
        Ok(boolean::<D::Error>(scalar(deserializer)?)?.unwrap_or_default())
    }
    fn decode_option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
        boolean(scalar(deserializer)?)
    }
}

fn boolean<E: de::Error>(value: Scalar<'_>) -> Result<Option<bool>, E> {
    match value {
        Scalar::Null => Ok(None),
        Scalar::Bool(b) => Ok(Some(b)),
        Scalar::I64(v) => Ok(Some(v != 0)),
        Scalar::U64(v) => Ok(Some(v != 0)),
        Scalar::F64(v) => Ok(Some(v != 0.0)),
        Scalar::Str(s) => match s.trim() {
            "" => Ok(None),
            "1" | "true" | "TRUE" | "True" => Ok(Some(true)),
            "0" | "false" | "FALSE" | "False" => Ok(Some(false)),
            other => Err(E::custom(format_args!("expected a boolean, found {other:?}"))),
        },
    }
}

impl Decode<String> for Lenient {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
        Ok(string::<D::Error>(scalar(deserializer)?)?.unwrap_or_default())
    }
    fn decode_option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
        // An empty string is a value here: `""` and absent mean different things for text.
        string(scalar(deserializer)?)
    }
}

fn string<E: de::Error>(value: Scalar<'_>) -> Result<Option<String>, E> {
    Ok(match value {
        Scalar::Null => None,
        Scalar::Bool(b) => Some(b.to_string()),
        Scalar::I64(v) => Some(v.to_string()),
        Scalar::U64(v) => Some(v.to_string()),
        Scalar::F64(v) => Some(v.to_string()),
        Scalar::Str(s) => Some(s.into_owned()),
    })
}

impl Encode<bool> for Flag {
    fn encode<S: Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(u8::from(*value))
    }
}

impl Decode<bool> for Flag {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
        <Lenient as Decode<bool>>::decode(deserializer)
    }
    fn decode_option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
        <Lenient as Decode<bool>>::decode_option(deserializer)
    }
}

impl<M, T: Display> Encode<T> for Str<M> {
    fn encode<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }
}

impl<M: Decode<T>, T> Decode<T> for Str<M> {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        M::decode(deserializer)
    }
    fn decode_option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
        M::decode_option(deserializer)
    }
}

// ---------------------------------------------------------------------------------------------
// Containers.

impl<M: Encode<T>, T> Encode<Option<T>> for Option<M> {
    fn encode<S: Serializer>(value: &Option<T>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => serializer.serialize_some(&Encoded::<M, T>(v, PhantomData)),
            None => serializer.serialize_none(),
        }
    }
}

impl<M: Decode<T>, T> Decode<Option<T>> for Option<M> {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
        M::decode_option(deserializer)
    }
}

impl<M: Encode<T>, T> Encode<Vec<T>> for Vec<M> {
    fn encode<S: Serializer>(value: &Vec<T>, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(value.len()))?;
        for item in value {
            seq.serialize_element(&Encoded::<M, T>(item, PhantomData))?;
        }
        seq.end()
    }
}

impl<M: Decode<T>, T> Decode<Vec<T>> for Vec<M> {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<T>, D::Error> {
        Ok(<Self as Decode<Vec<T>>>::decode_option(deserializer)?.unwrap_or_default())
    }
    fn decode_option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<T>>, D::Error> {
        struct ListVisitor<M, T>(PhantomData<(fn() -> T, M)>);
        impl<'de, M: Decode<T>, T> Visitor<'de> for ListVisitor<M, T> {
            type Value = Option<Vec<T>>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            // The server has sent `""` for an empty list; in a callback document an element
            // that repeats appears once when the list has one item.
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                if v.trim().is_empty() {
                    Ok(Some(Vec::new()))
                } else {
                    M::decode(IntoDeserializer::<E>::into_deserializer(v)).map(|one| Some(vec![one]))
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                M::decode(de::value::MapAccessDeserializer::new(map)).map(|one| Some(vec![one]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(item) = seq.next_element_seed(decoded::<M, T>())? {
                    out.push(item);
                }
                Ok(Some(out))
            }
        }
        deserializer.deserialize_any(ListVisitor::<M, T>(PhantomData))
    }
}

/// A map with free string keys.
#[allow(
    dead_code,
    reason = "named by generated code once the spec has a `map<T>` field"
)]
pub struct Map<M>(PhantomData<M>);

impl<M: Encode<T>, T> Encode<BTreeMap<String, T>> for Map<M> {
    fn encode<S: Serializer>(value: &BTreeMap<String, T>, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(value.len()))?;
        for (k, v) in value {
            map.serialize_entry(k, &Encoded::<M, T>(v, PhantomData))?;
        }
        map.end()
    }
}

impl<M: Decode<T>, T> Decode<BTreeMap<String, T>> for Map<M> {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<BTreeMap<String, T>, D::Error> {
        Ok(<Self as Decode<BTreeMap<String, T>>>::decode_option(deserializer)?.unwrap_or_default())
    }
    fn decode_option<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<BTreeMap<String, T>>, D::Error> {
        struct MapVisitor<M, T>(PhantomData<(fn() -> T, M)>);
        impl<'de, M: Decode<T>, T> Visitor<'de> for MapVisitor<M, T> {
            type Value = Option<BTreeMap<String, T>>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    out.insert(key, map.next_value_seed(decoded::<M, T>())?);
                }
                Ok(Some(out))
            }
        }
        deserializer.deserialize_any(MapVisitor::<M, T>(PhantomData))
    }
}

impl<M, T: Display, const SEP: char> Encode<Vec<T>> for Piped<M, SEP> {
    fn encode<S: Serializer>(value: &Vec<T>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&Joined(value, SEP))
    }
}

/// `a|b|c` written straight into the output, without building the string first.
struct Joined<'a, T>(&'a [T], char);

impl<T: Display> Display for Joined<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, item) in self.0.iter().enumerate() {
            if i > 0 {
                fmt::Write::write_char(f, self.1)?;
            }
            Display::fmt(item, f)?;
        }
        Ok(())
    }
}

/// `a|b|c`: how WeCom writes lists of ids in one string.
pub fn join<T: Display>(items: &[T]) -> String {
    Joined(items, '|').to_string()
}

impl<M: Decode<T>, T, const SEP: char> Decode<Vec<T>> for Piped<M, SEP> {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<T>, D::Error> {
        Ok(<Self as Decode<Vec<T>>>::decode_option(deserializer)?.unwrap_or_default())
    }
    fn decode_option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<T>>, D::Error> {
        struct PipedVisitor<M, T, const SEP: char>(PhantomData<(fn() -> T, M)>);
        impl<'de, M: Decode<T>, T, const SEP: char> Visitor<'de> for PipedVisitor<M, T, SEP> {
            type Value = Option<Vec<T>>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a `{SEP}`-separated string or a list")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                if v.is_empty() {
                    return Ok(Some(Vec::new()));
                }
                v.split(SEP)
                    .map(|part| M::decode(IntoDeserializer::<E>::into_deserializer(part)))
                    .collect::<Result<Vec<T>, E>>()
                    .map(Some)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                M::decode(IntoDeserializer::<E>::into_deserializer(v)).map(|one| Some(vec![one]))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                M::decode(IntoDeserializer::<E>::into_deserializer(v)).map(|one| Some(vec![one]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element_seed(decoded::<M, T>())? {
                    out.push(item);
                }
                Ok(Some(out))
            }
        }
        deserializer.deserialize_any(PipedVisitor::<M, T, SEP>(PhantomData))
    }
}

// ---------------------------------------------------------------------------------------------
// Tagged unions: `{"msgtype": "text", "text": {...}}`.

/// Reads a tagged union's tag and payload; any other key is an error (requests are strict).
pub fn split_tagged<'de, D: Deserializer<'de>>(
    deserializer: D,
    tag: &'static str,
    variants: &'static [&'static str],
) -> Result<(String, serde_json::Value), D::Error> {
    let mut map = BTreeMap::<String, serde_json::Value>::deserialize(deserializer)?;
    let chosen = match map.remove(tag) {
        Some(serde_json::Value::String(s)) => s,
        Some(other) => {
            return Err(de::Error::custom(format_args!(
                "`{tag}` must be a string, found {other}"
            )));
        }
        None => return Err(de::Error::missing_field(tag)),
    };
    if !variants.contains(&chosen.as_str()) {
        return Err(de::Error::unknown_variant(&chosen, variants));
    }
    let payload = map
        .remove(&chosen)
        .unwrap_or(serde_json::Value::Object(Default::default()));
    if let Some(stray) = map.keys().next() {
        return Err(de::Error::custom(format_args!(
            "unknown field `{stray}` beside `{tag}: {chosen}`"
        )));
    }
    Ok((chosen, payload))
}

pub fn from_payload<T: DeserializeOwned, E: de::Error>(payload: serde_json::Value) -> Result<T, E> {
    serde_json::from_value(payload).map_err(E::custom)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lenient<T>(value: serde_json::Value) -> Result<T, serde_json::Error>
    where
        Lenient: Decode<T>,
    {
        <Lenient as Decode<T>>::decode(value)
    }

    #[test]
    fn integers_read_every_spelling() {
        assert_eq!(lenient::<u32>(json!(7)).unwrap(), 7);
        assert_eq!(lenient::<u32>(json!("7")).unwrap(), 7);
        assert_eq!(lenient::<u32>(json!(" 7 ")).unwrap(), 7);
        assert_eq!(lenient::<u32>(json!("")).unwrap(), 0);
        assert_eq!(lenient::<u32>(json!(null)).unwrap(), 0);
        assert_eq!(lenient::<i64>(json!(5_000_000_000u64)).unwrap(), 5_000_000_000);
        assert_eq!(lenient::<u32>(json!(3.0)).unwrap(), 3);
        assert!(lenient::<u32>(json!(-1)).is_err());
        assert!(lenient::<u32>(json!(5_000_000_000u64)).is_err());
        assert!(lenient::<u32>(json!("x")).is_err());
        assert_eq!(<Lenient as Decode<u32>>::decode_option(json!("")).unwrap(), None);
        assert_eq!(
            <Lenient as Decode<u32>>::decode_option(json!("12")).unwrap(),
            Some(12)
        );
    }

    #[test]
    fn booleans_and_strings_read_every_spelling() {
        for (value, expected) in [
            (json!(1), true),
            (json!(0), false),
            (json!(true), true),
            (json!("1"), true),
            (json!("false"), false),
        ] {
            assert_eq!(lenient::<bool>(value).unwrap(), expected);
        }
        assert_eq!(lenient::<String>(json!(13800000000u64)).unwrap(), "13800000000");
        assert_eq!(lenient::<String>(json!(null)).unwrap(), "");
        assert_eq!(
            <Lenient as Decode<String>>::decode_option(json!("")).unwrap(),
            Some(String::new())
        );
    }

    #[test]
    fn piped_lists_read_strings_and_arrays() {
        let piped = |v| <Piped<Lenient> as Decode<Vec<String>>>::decode(v);
        assert_eq!(piped(json!("a|b")).unwrap(), vec!["a", "b"]);
        assert_eq!(piped(json!(["a", "b"])).unwrap(), vec!["a", "b"]);
        assert!(piped(json!("")).unwrap().is_empty());
        let ids = <Piped<Lenient> as Decode<Vec<u32>>>::decode(json!("1|2")).unwrap();
        assert_eq!(ids, vec![1, 2]);
        let out = serde_json::to_value(Encoded::<Piped<Lenient>, Vec<u32>>(&ids, PhantomData)).unwrap();
        assert_eq!(out, json!("1|2"));
    }

    #[test]
    fn lists_tolerate_null_and_decode_elements_leniently() {
        let list = |v| <Vec<Flag> as Decode<Vec<bool>>>::decode(v);
        assert_eq!(
            list(json!([1, 0, "1", true])).unwrap(),
            vec![true, false, true, true]
        );
        assert!(list(json!(null)).unwrap().is_empty());
        let out =
            serde_json::to_value(Encoded::<Vec<Flag>, Vec<bool>>(&vec![true, false], PhantomData)).unwrap();
        assert_eq!(out, json!([1, 0]));
    }

    #[test]
    fn numbers_as_strings_encode_as_strings() {
        let out = serde_json::to_value(Encoded::<Str<Lenient>, u32>(&1, PhantomData)).unwrap();
        assert_eq!(out, json!("1"));
        assert_eq!(<Str<Lenient> as Decode<u32>>::decode(json!(1)).unwrap(), 1);
    }

    #[test]
    fn tagged_unions_reject_stray_keys() {
        let (tag, payload) = split_tagged(
            json!({"msgtype": "text", "text": {"content": "hi"}}),
            "msgtype",
            &["text"],
        )
        .unwrap();
        assert_eq!((tag.as_str(), payload), ("text", json!({"content": "hi"})));
        assert!(
            split_tagged(
                json!({"msgtype": "text", "text": {}, "oops": 1}),
                "msgtype",
                &["text"]
            )
            .is_err()
        );
        assert!(split_tagged(json!({"msgtype": "nope"}), "msgtype", &["text"]).is_err());
        assert!(split_tagged(json!({"text": {}}), "msgtype", &["text"]).is_err());
    }
}
