//! What generated `Deserialize` impls call: the struct names its keys and decodes one field at a
//! time through its wire adapter; the map walk, unknown keys and required fields are handled here,
//! once, instead of in every type.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::wire::Decode;

/// A struct decoded key by key.
pub trait Fields: Sized {
    /// Its name, for messages.
    const NAME: &'static str;
    /// Its wire keys, in declaration order.
    const KEYS: &'static [&'static str];
    /// Bit `i` set: `KEYS[i]` must be present (strict types only).
    const REQUIRED: u128;
    /// Unknown keys are an error (types only callers build); otherwise they are skipped.
    const STRICT: bool;
    /// The value decoding starts from: absent fields keep it.
    fn init() -> Self;
    /// Decodes the value of `key` from `map`; `false` for a key the type does not have.
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error>;
}

/// Decodes a [`Fields`] struct from a JSON object (or `null`, for response types).
pub fn object<'de, D: Deserializer<'de>, T: Fields>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_struct(T::NAME, T::KEYS, ObjectVisitor::<T>(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<fn() -> T>);

impl<'de, T: Fields> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object ({})", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut out = T::init();
        let mut seen: u128 = 0;
        while let Some(key) = map.next_key::<Key<'de>>()? {
            if out.field(&key.0, &mut map)? {
                if T::REQUIRED != 0
                    && let Some(i) = T::KEYS.iter().position(|k| *k == key.0)
                {
                    seen |= 1 << i;
                }
            } else if T::STRICT {
                return Err(de::Error::unknown_field(&key.0, T::KEYS));
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        let missing = T::REQUIRED & !seen;
        if missing != 0 {
            let i = missing.trailing_zeros() as usize;
            return Err(de::Error::missing_field(T::KEYS[i]));
        }
        Ok(out)
    }

    /// The real server has sent `null` for an absent object.
    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        if T::STRICT {
            return Err(E::invalid_type(de::Unexpected::Unit, &self));
        }
        Ok(T::init())
    }
}

/// An object key, borrowed from the input when it can be.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Decodes the next value through the adapter `M`.
pub fn next<'de, M: Decode<T>, T, A: MapAccess<'de>>(map: &mut A) -> Result<T, A::Error> {
    map.next_value_seed(Seed::<M, T>(PhantomData))
}

struct Seed<M, T>(PhantomData<fn() -> (M, T)>);

impl<'de, M: Decode<T>, T> DeserializeSeed<'de> for Seed<M, T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        M::decode(deserializer)
    }
}

/// `Serialize`, `Deserialize` and [`Fields`] for a generated struct, from one line per field:
///
/// ```text
/// rt::wire! {
///     TagCreateRequest: strict, required 1;
///     tagname "tagname": field wire::Lenient;
///     tagid "tagid": opt wire::Lenient;
///     ext "extattr": field ExtAttr = <ExtAttr as de::Fields>::init();
/// }
/// ```
///
/// `field` is written always, `opt` (an `Option`) only when set; each through its wire adapter. A field starts from `Default::default()` (`None`
/// for `opt`) unless `= …` says otherwise.
macro_rules! wire {
    (
        $name:ident: $strictness:ident, required $required:literal;
        $( $field:ident $key:literal: $how:ident $marker:ty $(= $init:expr)?; )*
    ) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #[allow(unused_mut)]
                let mut o = crate::rt::ser::Obj::new(serializer, stringify!($name), 0 $(+ crate::rt::de::wire!(@one $field))*)?;
                $( crate::rt::de::wire!(@write o $how $marker, $key, &self.$field); )*
                o.end()
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::rt::de::object(deserializer)
            }
        }

        impl crate::rt::de::Fields for $name {
            const NAME: &'static str = stringify!($name);
            const KEYS: &'static [&'static str] = &[$($key),*];
            const REQUIRED: u128 = $required;
            const STRICT: bool = crate::rt::de::wire!(@strict $strictness);
            fn init() -> Self {
                Self { $( $field: crate::rt::de::wire!(@init $how $($init)?), )* }
            }
            #[allow(unreachable_code, unused_variables)]
            fn field<'de, A: serde::de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
                match key {
                    $( $key => self.$field = crate::rt::de::wire!(@read map $how $marker), )*
                    _ => return Ok(false),
                }
                Ok(true)
            }
        }
    };
    (@one $field:ident) => { 1 };
    (@strict strict) => { true };
    (@strict lenient) => { false };
    (@init opt) => { None };
    (@init $how:ident) => { Default::default() };
    (@init $how:ident $init:expr) => { $init };
    (@write $o:ident field $marker:ty, $key:literal, $value:expr) => { $o.with::<$marker, _>($key, $value)? };
    (@write $o:ident opt $marker:ty, $key:literal, $value:expr) => { $o.opt_with::<$marker, _>($key, $value)? };
    (@read $map:ident opt $marker:ty) => { crate::rt::de::next::<Option<$marker>, _, _>($map)? };
    (@read $map:ident $how:ident $marker:ty) => { crate::rt::de::next::<$marker, _, _>($map)? };
}

pub(crate) use wire;
