//! What generated `Serialize` impls call: one line per field, each through its wire adapter.

use std::marker::PhantomData;

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use super::wire::Encode;

/// An object being written by the serializer `Z`.
pub struct Obj<Z: Serializer>(Z::SerializeStruct);

/// A value encoded through the adapter `M`.
struct Through<'a, M, T: ?Sized>(&'a T, PhantomData<M>);

impl<M: Encode<T>, T: ?Sized> Serialize for Through<'_, M, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        M::encode(self.0, serializer)
    }
}

impl<Z: Serializer> Obj<Z> {
    pub fn new(serializer: Z, name: &'static str, len: usize) -> Result<Self, Z::Error> {
        serializer.serialize_struct(name, len).map(Obj)
    }

    /// A field as it serializes itself.
    pub fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Z::Error> {
        self.0.serialize_field(key, value)
    }

    /// A field through an adapter.
    pub fn with<M: Encode<T>, T: ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Z::Error> {
        self.0.serialize_field(key, &Through::<M, T>(value, PhantomData))
    }

    /// An optional field: left out when `None`.
    pub fn opt<T: Serialize>(&mut self, key: &'static str, value: &Option<T>) -> Result<(), Z::Error> {
        match value {
            Some(v) => self.0.serialize_field(key, v),
            None => self.0.skip_field(key),
        }
    }

    /// An optional field through an adapter.
    pub fn opt_with<M: Encode<T>, T>(
        &mut self,
        key: &'static str,
        value: &Option<T>,
    ) -> Result<(), Z::Error> {
        match value {
            Some(v) => self.0.serialize_field(key, &Through::<M, T>(v, PhantomData)),
            None => self.0.skip_field(key),
        }
    }

    pub fn end(self) -> Result<Z::Ok, Z::Error> {
        self.0.end()
    }
}

/// The setters of a request, on the request and on its `Call`: one line each.
///
/// ```text
/// rt::setters! {
///     TagCreateRequest;
///     /// Sets `tagid`.
///     tagid(tagid: u32) = tagid;
/// }
/// ```
macro_rules! setters {
    (
        $name:ident via $call:ident;
        $( $(#[$meta:meta])* $field:ident($arg:ident: $ty:ty) = $value:expr; )*
    ) => {
        crate::rt::ser::setters!($name; $( $(#[$meta])* $field($arg: $ty) = $value; )*);

        /// The request's setters, on the call (documented on the request type).
        #[doc(hidden)]
        impl crate::$call<$name> {
            $(
                $(#[$meta])*
                #[allow(deprecated)]
                pub fn $field(mut self, $arg: $ty) -> Self {
                    self.request = self.request.$field($arg);
                    self
                }
            )*
        }
    };
    (
        $name:ident;
        $( $(#[$meta:meta])* $field:ident($arg:ident: $ty:ty) = $value:expr; )*
    ) => {
        impl $name {
            $(
                $(#[$meta])*
                pub fn $field(mut self, $arg: $ty) -> Self {
                    self.$field = Some($value);
                    self
                }
            )*
        }
    };
}

pub(crate) use setters;
