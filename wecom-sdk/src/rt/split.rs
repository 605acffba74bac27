//! A request serialized into what travels: its query pairs and its JSON body, each parameter
//! placed where the endpoint's table says (a parameter the table does not know — a caller's own
//! endpoint — goes in the body of a request that has one, else in the query).

use std::borrow::Cow;
use std::fmt::Display;

use serde::Serialize;
use serde::ser::{self, Impossible};

use crate::endpoint::{BodyKind, EndpointMeta, Query};
use crate::schema::Placement;

/// What a request sends besides its credential and files.
pub struct Parts {
    pub query: Query,
    /// The JSON body, for endpoints that take one.
    pub body: Option<Vec<u8>>,
}

/// Splits `request` by `meta`'s parameter table.
pub fn split<T: Serialize + ?Sized>(request: &T, meta: &'static EndpointMeta) -> Result<Parts, String> {
    let mut splitter = Splitter {
        meta,
        query: Query::default(),
        body: Vec::with_capacity(128),
        entries: 0,
    };
    request.serialize(&mut splitter).map_err(|e| e.0)?;
    let body = (meta.body == BodyKind::Json).then(|| {
        let mut body = splitter.body;
        if splitter.entries == 0 {
            body.push(b'{');
        }
        body.push(b'}');
        body
    });
    Ok(Parts {
        query: splitter.query,
        body,
    })
}

#[derive(Debug)]
pub struct SplitError(String);

impl Display for SplitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SplitError {}

impl ser::Error for SplitError {
    fn custom<T: Display>(msg: T) -> Self {
        SplitError(msg.to_string())
    }
}

fn refuse<T>(what: &str) -> Result<T, SplitError> {
    Err(SplitError(format!(
        "a request is an object of parameters, not {what}"
    )))
}

struct Splitter {
    meta: &'static EndpointMeta,
    query: Query,
    body: Vec<u8>,
    entries: usize,
}

impl Splitter {
    fn place(&self, key: &str) -> (Placement, bool) {
        match self.meta.params.iter().find(|p| p.name() == key) {
            Some(p) => (p.placement(), p.secret()),
            None if self.meta.body == BodyKind::Json => (Placement::Body, false),
            None => (Placement::Query, false),
        }
    }

    fn entry<T: Serialize + ?Sized>(&mut self, key: Cow<'static, str>, value: &T) -> Result<(), SplitError> {
        match self.place(&key) {
            (Placement::Query, secret) => {
                if let Some(text) = value.serialize(QueryText)? {
                    if secret {
                        self.query.push_secret(key, &crate::Secret::from(text));
                    } else {
                        self.query.push_text(key, text);
                    }
                }
                Ok(())
            }
            (Placement::File, _) => Ok(()),
            (_, _) => {
                self.body.push(if self.entries == 0 { b'{' } else { b',' });
                self.entries += 1;
                serde_json::to_writer(&mut self.body, key.as_ref()).map_err(ser::Error::custom)?;
                self.body.push(b':');
                serde_json::to_writer(&mut self.body, value).map_err(ser::Error::custom)
            }
        }
    }
}

impl<'a> ser::Serializer for &'a mut Splitter {
    type Ok = ();
    type Error = SplitError;
    type SerializeSeq = Impossible<(), SplitError>;
    type SerializeTuple = Impossible<(), SplitError>;
    type SerializeTupleStruct = Impossible<(), SplitError>;
    type SerializeTupleVariant = Impossible<(), SplitError>;
    type SerializeMap = MapEntries<'a>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), SplitError>;

    fn serialize_bool(self, _: bool) -> Result<(), SplitError> {
        refuse("a boolean")
    }
    fn serialize_i8(self, _: i8) -> Result<(), SplitError> {
        refuse("a number")
    }
    fn serialize_i16(self, _: i16) -> Result<(), SplitError> {
        refuse("a number")
    }
    fn serialize_i32(self, _: i32) -> Result<(), SplitError> {
        refuse("a number")
    }
    fn serialize_i64(self, _: i64) -> Result<(), SplitError> {
        refuse("a number")
    }
    fn serialize_u8(self, _: u8) -> Result<(), SplitError> {
        refuse("a number")
    }
    fn serialize_u16(self, _: u16) -> Result<(), SplitError> {
        refuse("a number")
    }
    fn serialize_u32(self, _: u32) -> Result<(), SplitError> {
        refuse("a number")
    }
    fn serialize_u64(self, _: u64) -> Result<(), SplitError> {
        refuse("a number")
    }
    fn serialize_f32(self, _: f32) -> Result<(), SplitError> {
        refuse("a number")
    }
    fn serialize_f64(self, _: f64) -> Result<(), SplitError> {
        refuse("a number")
    }
    fn serialize_char(self, _: char) -> Result<(), SplitError> {
        refuse("text")
    }
    fn serialize_str(self, _: &str) -> Result<(), SplitError> {
        refuse("text")
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), SplitError> {
        refuse("bytes")
    }
    fn serialize_none(self) -> Result<(), SplitError> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), SplitError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), SplitError> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), SplitError> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), SplitError> {
        refuse("an enum")
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), SplitError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), SplitError> {
        refuse("an enum")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, SplitError> {
        refuse("a list")
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, SplitError> {
        refuse("a tuple")
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, SplitError> {
        refuse("a tuple")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, SplitError> {
        refuse("an enum")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<MapEntries<'a>, SplitError> {
        Ok(MapEntries {
            splitter: self,
            key: None,
        })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, SplitError> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, SplitError> {
        refuse("an enum")
    }
}

impl ser::SerializeStruct for &mut Splitter {
    type Ok = ();
    type Error = SplitError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SplitError> {
        self.entry(Cow::Borrowed(key), value)
    }
    fn skip_field(&mut self, _: &'static str) -> Result<(), SplitError> {
        Ok(())
    }
    fn end(self) -> Result<(), SplitError> {
        Ok(())
    }
}

/// A request written as a map (a caller's own type, say): keys must be the table's names.
pub struct MapEntries<'a> {
    splitter: &'a mut Splitter,
    key: Option<Cow<'static, str>>,
}

impl ser::SerializeMap for MapEntries<'_> {
    type Ok = ();
    type Error = SplitError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SplitError> {
        let text = key.serialize(QueryText)?.unwrap_or_default();
        let name = match self.splitter.meta.params.iter().find(|p| p.name() == text) {
            Some(p) => Cow::Borrowed(p.name()),
            None => Cow::Owned(text),
        };
        self.key = Some(name);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SplitError> {
        let key = self.key.take().unwrap_or(Cow::Borrowed(""));
        self.splitter.entry(key, value)
    }
    fn end(self) -> Result<(), SplitError> {
        Ok(())
    }
}

/// A query value as text: scalars as WeCom spells them; `None` for an absent value.
struct QueryText;

fn text<T: Display>(v: T) -> Result<Option<String>, SplitError> {
    Ok(Some(v.to_string()))
}

impl ser::Serializer for QueryText {
    type Ok = Option<String>;
    type Error = SplitError;
    type SerializeSeq = Impossible<Option<String>, SplitError>;
    type SerializeTuple = Impossible<Option<String>, SplitError>;
    type SerializeTupleStruct = Impossible<Option<String>, SplitError>;
    type SerializeTupleVariant = Impossible<Option<String>, SplitError>;
    type SerializeMap = Impossible<Option<String>, SplitError>;
    type SerializeStruct = Impossible<Option<String>, SplitError>;
    type SerializeStructVariant = Impossible<Option<String>, SplitError>;

    fn serialize_bool(self, v: bool) -> Result<Option<String>, SplitError> {
        text(v)
    }
    fn serialize_i8(self, v: i8) -> Result<Option<String>, SplitError> {
        text(v)
    }
    fn serialize_i16(self, v: i16) -> Result<Option<String>, SplitError> {
        text(v)
    }
    fn serialize_i32(self, v: i32) -> Result<Option<String>, SplitError> {
        text(v)
    }
    fn serialize_i64(self, v: i64) -> Result<Option<String>, SplitError> {
        text(v)
    }
    fn serialize_u8(self, v: u8) -> Result<Option<String>, SplitError> {
        text(v)
    }
    fn serialize_u16(self, v: u16) -> Result<Option<String>, SplitError> {
        text(v)
    }
    fn serialize_u32(self, v: u32) -> Result<Option<String>, SplitError> {
        text(v)
    }
    fn serialize_u64(self, v: u64) -> Result<Option<String>, SplitError> {
        text(v)
    }
    fn serialize_f32(self, v: f32) -> Result<Option<String>, SplitError> {
        text(v)
    }
    fn serialize_f64(self, v: f64) -> Result<Option<String>, SplitError> {
        text(v)
    }
    fn serialize_char(self, v: char) -> Result<Option<String>, SplitError> {
        text(v)
    }
    fn serialize_str(self, v: &str) -> Result<Option<String>, SplitError> {
        text(v)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Option<String>, SplitError> {
        Err(SplitError("bytes cannot travel in a query".into()))
    }
    fn serialize_none(self) -> Result<Option<String>, SplitError> {
        Ok(None)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Option<String>, SplitError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Option<String>, SplitError> {
        Ok(None)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Option<String>, SplitError> {
        Ok(None)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Option<String>, SplitError> {
        text(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Option<String>, SplitError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Option<String>, SplitError> {
        Err(SplitError("an enum cannot travel in a query".into()))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, SplitError> {
        Err(SplitError("a list travels in a query only `|`-joined".into()))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, SplitError> {
        Err(SplitError("a tuple cannot travel in a query".into()))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, SplitError> {
        Err(SplitError("a tuple cannot travel in a query".into()))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, SplitError> {
        Err(SplitError("an enum cannot travel in a query".into()))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, SplitError> {
        Err(SplitError("an object cannot travel in a query".into()))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, SplitError> {
        Err(SplitError("an object cannot travel in a query".into()))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, SplitError> {
        Err(SplitError("an enum cannot travel in a query".into()))
    }
}
