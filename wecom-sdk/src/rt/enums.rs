//! Open enums: `int_enum!` and `str_enum!` write the newtype, its constants and its trait impls,
//! so each generated enum is one line per value.

/// The text of a string enum: one of the spec's spellings, or any other.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Text {
    /// A spelling the spec names. Values are made canonical, so a known spelling is always this.
    Known(&'static str),
    /// A spelling the spec does not name.
    Other(Box<str>),
}

impl Text {
    /// `value`, as the known spelling when it is one of `known`.
    pub fn new(value: &str, known: &[&'static str]) -> Text {
        match known.iter().find(|k| **k == value) {
            Some(k) => Text::Known(k),
            None => Text::Other(value.into()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Text::Known(s) => s,
            Text::Other(s) => s,
        }
    }
}

impl Default for Text {
    fn default() -> Self {
        Text::Known("")
    }
}

/// An open integer enum: `pub struct Gender(i32) { MALE = 1 => "male", … }`.
macro_rules! int_enum {
    (
        $(#[$meta:meta])*
        pub struct $name:ident($repr:ty) {
            $( $(#[$cmeta:meta])* $constant:ident = $value:literal => $label:literal, )*
        }
    ) => {
        $(#[$meta])*
        ///
        /// An open enum: values this version does not name still decode and round-trip.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub $repr);

        impl $name {
            $( $(#[$cmeta])* pub const $constant: Self = Self($value); )*

            /// The spec's name of this value (`male`), `None` for values it does not name.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some($label), )*
                    _ => None,
                }
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.name() {
                    Some(known) => write!(f, "{}::{}", stringify!($name), known),
                    None => write!(f, "{}({})", stringify!($name), self.0),
                }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                core::fmt::Display::fmt(&self.0, f)
            }
        }

        impl From<$repr> for $name {
            fn from(value: $repr) -> Self {
                Self(value)
            }
        }

        impl From<$name> for $repr {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(&self.0, serializer)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <crate::rt::wire::Lenient as crate::rt::wire::Decode<$repr>>::decode(deserializer).map(Self)
            }
        }
    };
}

/// An open string enum: `pub struct MsgType { TEXT = "text" => "text", … }`. Its constants can
/// be matched on.
macro_rules! str_enum {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$cmeta:meta])* $constant:ident = $value:literal => $label:literal, )*
        }
    ) => {
        $(#[$meta])*
        ///
        /// An open enum: values this version does not name still decode and round-trip.
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(crate::rt::enums::Text);

        impl $name {
            $( $(#[$cmeta])* pub const $constant: Self = Self(crate::rt::enums::Text::Known($value)); )*

            const KNOWN: &'static [&'static str] = &[$($value),*];

            /// A value by its wire spelling, named by the spec or not.
            pub fn new(value: impl AsRef<str>) -> Self {
                Self(crate::rt::enums::Text::new(value.as_ref(), Self::KNOWN))
            }

            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }

            /// The spec's name of this value, `None` for values it does not name.
            pub fn name(&self) -> Option<&'static str> {
                match self.as_str() {
                    $( $value => Some($label), )*
                    _ => None,
                }
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.name() {
                    Some(known) => write!(f, "{}::{}", stringify!($name), known),
                    None => write!(f, "{}({:?})", stringify!($name), self.as_str()),
                }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::new(value)
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::new(value)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <crate::rt::wire::Lenient as crate::rt::wire::Decode<String>>::decode(deserializer).map(Self::new)
            }
        }
    };
}

pub(crate) use {int_enum, str_enum};
