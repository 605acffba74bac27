//! WXBizMsgCrypt: signatures, AES-256-CBC, the plaintext frame, and sealed replies.

use std::fmt::{self, Write as _};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use aes::Aes256;
use base64::Engine as _;
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockModeDecrypt as _, BlockModeEncrypt as _, KeyIvInit as _};
use secrecy::zeroize::Zeroize as _;
use secrecy::{ExposeSecret as _, SecretBox, SecretString};
use sha1::{Digest as _, Sha1};
use subtle::ConstantTimeEq as _;

use super::CallbackError;
use super::envelope::Envelope;
use super::error::quote;
use super::tree::{Tree, parse_tree};

/// Characters in an EncodingAESKey.
const ENCODING_AES_KEY_LEN: usize = 43;
/// Bytes in the AES-256 key.
const KEY_LEN: usize = 32;
/// Bytes in the IV (the key's first bytes) and in an AES block.
const IV_LEN: usize = 16;
/// WXBizMsgCrypt pads with PKCS#7 to blocks of 32 bytes, not AES's 16.
const PAD_BLOCK: usize = 32;
/// Bytes of randomness that start the plaintext.
const RANDOM_LEN: usize = 16;

/// The EncodingAESKey's base64 is decoded leniently: WeCom's keys end in a character whose
/// unused low bits are not zero, which a strict decoder rejects.
const KEY_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// Verifies, decrypts and encrypts callbacks for one callback configuration: its Token, its
/// EncodingAESKey and the receive id its messages carry.
///
/// Cheap to clone (the secrets are shared, not copied); `Send` and `Sync`. `Debug` shows the
/// receive id and `[redacted]` for the token and the key, and no error ever contains them.
///
/// The receive id is the corp id for an app's callbacks, the suite id for a suite's instruction
/// callbacks (`suite_ticket`, `create_auth`, …), and `""` for 智能机器人 (robots). A message whose
/// receive id differs is refused ([`CallbackError::ValidateReceiveId`], -40005).
#[derive(Clone)]
pub struct Crypto {
    inner: Arc<Inner>,
}

struct Inner {
    token: SecretString,
    key: SecretBox<[u8; KEY_LEN]>,
    receive_id: String,
}

impl fmt::Debug for Crypto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Crypto")
            .field("token", &"[redacted]")
            .field("encoding_aes_key", &"[redacted]")
            .field("receive_id", &self.inner.receive_id)
            .finish()
    }
}

impl Crypto {
    /// A callback configuration from its Token, its EncodingAESKey (43 characters) and the
    /// receive id (see [`Crypto`]).
    ///
    /// The AES key is base64(EncodingAESKey + "="), decoded leniently about the last
    /// character's unused bits. Errors: [`CallbackError::IllegalAesKey`] (-40004) when the
    /// EncodingAESKey is not 43 characters, is not base64, or does not give 32 bytes; the
    /// message never quotes the key.
    pub fn new(
        token: impl Into<String>,
        encoding_aes_key: &str,
        receive_id: impl Into<String>,
    ) -> Result<Crypto, CallbackError> {
        let chars = encoding_aes_key.chars().count();
        if chars != ENCODING_AES_KEY_LEN || encoding_aes_key.len() != ENCODING_AES_KEY_LEN {
            return Err(CallbackError::IllegalAesKey(format!(
                "the EncodingAESKey is {chars} characters long, not {ENCODING_AES_KEY_LEN}"
            )));
        }
        let mut padded = format!("{encoding_aes_key}=");
        let decoded = KEY_BASE64.decode(padded.as_bytes());
        padded.zeroize();
        let mut decoded = decoded.map_err(|_| {
            CallbackError::IllegalAesKey("the EncodingAESKey is not valid base64".to_string())
        })?;
        let key = <[u8; KEY_LEN]>::try_from(decoded.as_slice()).map_err(|_| {
            CallbackError::IllegalAesKey(format!(
                "the EncodingAESKey decodes to {} bytes, not {KEY_LEN}",
                decoded.len()
            ))
        });
        decoded.zeroize();
        let key = SecretBox::new(Box::new(key?));
        Ok(Crypto {
            inner: Arc::new(Inner {
                token: SecretString::from(token.into()),
                key,
                receive_id: receive_id.into(),
            }),
        })
    }

    /// The receive id that every message must carry.
    pub fn receive_id(&self) -> &str {
        &self.inner.receive_id
    }

    /// `msg_signature` for a timestamp, a nonce and a ciphertext: the lower-case hex SHA-1 of
    /// the token, `timestamp`, `nonce` and `encrypted`, sorted bytewise and concatenated.
    pub fn signature(&self, timestamp: &str, nonce: &str, encrypted: &str) -> String {
        let mut parts = [self.inner.token.expose_secret(), timestamp, nonce, encrypted];
        parts.sort_unstable();
        let mut sha = Sha1::new();
        for part in parts {
            sha.update(part.as_bytes());
        }
        let mut hex = String::with_capacity(40);
        for byte in sha.finalize() {
            let _ = write!(hex, "{byte:02x}");
        }
        hex
    }

    /// Checks `msg_signature` against [`signature`](Self::signature), in constant time.
    ///
    /// Errors: [`CallbackError::ValidateSignature`] (-40001).
    pub fn verify_signature(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypted: &str,
    ) -> Result<(), CallbackError> {
        let expected = self.signature(timestamp, nonce, encrypted);
        if bool::from(expected.as_bytes().ct_eq(msg_signature.as_bytes())) {
            Ok(())
        } else {
            Err(CallbackError::ValidateSignature(
                "msg_signature is not the SHA-1 of the sorted token, timestamp, nonce and ciphertext"
                    .to_string(),
            ))
        }
    }

    /// The URL-verification GET: checks the signature over `echostr`, decrypts it and returns
    /// the plaintext to answer with (as it is: no quotes, no BOM, no newline).
    ///
    /// The four arguments are the query parameters, already URL-decoded. Errors: those of
    /// [`decrypt`](Self::decrypt), and [`CallbackError::IllegalBuffer`] (-40008) when the
    /// plaintext is not UTF-8.
    pub fn verify_url(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        echostr: &str,
    ) -> Result<String, CallbackError> {
        let plaintext = self.decrypt(msg_signature, timestamp, nonce, echostr)?;
        String::from_utf8(plaintext).map_err(|e| {
            CallbackError::IllegalBuffer(format!(
                "the decrypted echostr is not UTF-8 (at byte {})",
                e.utf8_error().valid_up_to()
            ))
        })
    }

    /// Checks the signature over `encrypted`, then decrypts it and returns the message (for a
    /// POST, usually an XML document: see [`parse_tree`]).
    ///
    /// `encrypted` is the base64 ciphertext exactly as sent (the envelope's `Encrypt`).
    /// Errors, in the order they are checked:
    /// - [`ValidateSignature`](CallbackError::ValidateSignature) (-40001): bad signature;
    /// - [`DecodeBase64`](CallbackError::DecodeBase64) (-40010): not base64;
    /// - [`DecryptAes`](CallbackError::DecryptAes) (-40007): not a positive multiple of 16
    ///   bytes, or bad PKCS#7 padding (a pad byte of 0 or above 32, or pad bytes that differ);
    /// - [`IllegalBuffer`](CallbackError::IllegalBuffer) (-40008): shorter than the 20-byte
    ///   header, or a length field that points past the end;
    /// - [`ValidateReceiveId`](CallbackError::ValidateReceiveId) (-40005): the receive id after
    ///   the message is not [`receive_id`](Self::receive_id).
    pub fn decrypt(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypted: &str,
    ) -> Result<Vec<u8>, CallbackError> {
        self.verify_signature(msg_signature, timestamp, nonce, encrypted)?;
        self.decrypt_unverified(encrypted)
    }

    /// Reads a POST body ([`Envelope::parse`]), checks its signature and decrypts it.
    ///
    /// `msg_signature`, `timestamp` and `nonce` are the query parameters, URL-decoded.
    pub fn open(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        body: &[u8],
    ) -> Result<Opened, CallbackError> {
        let envelope = Envelope::parse(body)?;
        let plaintext = self.decrypt(msg_signature, timestamp, nonce, &envelope.encrypt)?;
        Ok(Opened { envelope, plaintext })
    }

    /// Encrypts a message (to this configuration's receive id) with 16 random bytes from the
    /// operating system, and returns the base64 ciphertext.
    ///
    /// Most callers want [`reply`](Self::reply), which also signs it and builds the envelope.
    /// Errors: [`CallbackError::EncryptAes`] (-40006) for a message of 4 GiB or more, or when
    /// the system's random number generator fails.
    pub fn encrypt(&self, plaintext: impl AsRef<[u8]>) -> Result<String, CallbackError> {
        self.encrypt_with(plaintext, &mut OsRandom)
    }

    /// [`encrypt`](Self::encrypt) with the 16 random bytes taken from `random`.
    pub fn encrypt_with(
        &self,
        plaintext: impl AsRef<[u8]>,
        random: &mut dyn RandomSource,
    ) -> Result<String, CallbackError> {
        let prefix = random.random_prefix()?;
        self.encrypt_prefixed(plaintext.as_ref(), &prefix)
    }

    /// Starts an encrypted passive reply carrying `plaintext` (for example a reply message's
    /// XML, or a robot's JSON).
    ///
    /// By default the timestamp is now, the nonce is 16 random letters and digits, and the 16
    /// random bytes come from the operating system; each can be set for a reproducible reply.
    pub fn reply<'a>(&'a self, plaintext: &'a (impl AsRef<[u8]> + ?Sized)) -> ReplyBuilder<'a> {
        ReplyBuilder {
            crypto: self,
            plaintext: plaintext.as_ref(),
            timestamp: None,
            nonce: None,
            random_prefix: None,
        }
    }

    /// Base64 → AES-256-CBC → unpad → frame, without looking at any signature.
    pub(crate) fn decrypt_unverified(&self, encrypted: &str) -> Result<Vec<u8>, CallbackError> {
        let mut data = STANDARD
            .decode(encrypted)
            .map_err(|e| CallbackError::DecodeBase64(format!("the ciphertext is not base64: {e}")))?;
        if data.is_empty() || data.len() % IV_LEN != 0 {
            return Err(CallbackError::DecryptAes(format!(
                "the ciphertext is {} bytes, not a positive multiple of the {IV_LEN}-byte AES block",
                data.len()
            )));
        }
        let key = self.inner.key.expose_secret();
        let iv = key.get(..IV_LEN).unwrap_or_default();
        let decryptor = cbc::Decryptor::<Aes256>::new_from_slices(key, iv)
            .map_err(|_| CallbackError::DecryptAes("the cipher rejected the key".to_string()))?;
        let plaintext = decryptor
            .decrypt_padded::<NoPadding>(&mut data)
            .map_err(|_| CallbackError::DecryptAes("the ciphertext is not whole AES blocks".to_string()))?;
        let content = unpad(plaintext)?;
        let message = self.unframe(content)?;
        Ok(message.to_vec())
    }

    /// `random ‖ length ‖ message ‖ receive id`, padded, encrypted, base64.
    fn encrypt_prefixed(&self, message: &[u8], prefix: &[u8; 16]) -> Result<String, CallbackError> {
        let length = length_field(message.len())?;
        let receive_id = self.inner.receive_id.as_bytes();
        let unpadded = (RANDOM_LEN + 4)
            .checked_add(message.len())
            .and_then(|n| n.checked_add(receive_id.len()))
            .ok_or_else(|| CallbackError::EncryptAes("the message is too large".to_string()))?;
        let pad = PAD_BLOCK - unpadded % PAD_BLOCK;
        let pad_byte = u8::try_from(pad)
            .map_err(|_| CallbackError::EncryptAes("the padding does not fit a byte".to_string()))?;
        let total = unpadded
            .checked_add(pad)
            .ok_or_else(|| CallbackError::EncryptAes("the message is too large".to_string()))?;
        let mut buf = Vec::with_capacity(total);
        buf.extend_from_slice(prefix);
        buf.extend_from_slice(&length.to_be_bytes());
        buf.extend_from_slice(message);
        buf.extend_from_slice(receive_id);
        buf.resize(total, pad_byte);
        let key = self.inner.key.expose_secret();
        let iv = key.get(..IV_LEN).unwrap_or_default();
        let encryptor = cbc::Encryptor::<Aes256>::new_from_slices(key, iv)
            .map_err(|_| CallbackError::EncryptAes("the cipher rejected the key".to_string()))?;
        let ciphertext = encryptor
            .encrypt_padded::<NoPadding>(&mut buf, total)
            .map_err(|_| {
                CallbackError::EncryptAes("the padded message is not whole AES blocks".to_string())
            })?;
        Ok(STANDARD.encode(ciphertext))
    }

    /// The message inside `random(16) ‖ length(4, big-endian) ‖ message ‖ receive id`, after
    /// checking the receive id.
    fn unframe<'a>(&self, content: &'a [u8]) -> Result<&'a [u8], CallbackError> {
        let short = || {
            CallbackError::IllegalBuffer(format!(
                "the decrypted buffer is {} bytes, shorter than its 20-byte header (16 random bytes and a 4-byte length)",
                content.len()
            ))
        };
        let (_random, rest) = content.split_at_checked(RANDOM_LEN).ok_or_else(short)?;
        let (length, rest) = rest.split_first_chunk::<4>().ok_or_else(short)?;
        let length = u32::from_be_bytes(*length);
        let (message, receive_id) = usize::try_from(length)
            .ok()
            .and_then(|n| rest.split_at_checked(n))
            .ok_or_else(|| {
                CallbackError::IllegalBuffer(format!(
                    "the length field says the message is {length} bytes, but only {} bytes follow it",
                    rest.len()
                ))
            })?;
        if receive_id != self.inner.receive_id.as_bytes() {
            return Err(CallbackError::ValidateReceiveId(format!(
                "the message is for receive id {}, not the configured {}",
                quote(&String::from_utf8_lossy(receive_id), 64),
                quote(&self.inner.receive_id, 64)
            )));
        }
        Ok(message)
    }
}

/// The 4-byte length field for a message of `len` bytes.
pub(super) fn length_field(len: usize) -> Result<u32, CallbackError> {
    u32::try_from(len).map_err(|_| {
        CallbackError::EncryptAes(format!(
            "the message is {len} bytes, more than its 4-byte length field can count"
        ))
    })
}

/// The content of a decrypted buffer without its PKCS#7 padding (to 32-byte blocks).
fn unpad(buf: &[u8]) -> Result<&[u8], CallbackError> {
    let Some(&pad) = buf.last() else {
        return Err(CallbackError::DecryptAes(
            "the decrypted buffer is empty".to_string(),
        ));
    };
    if pad == 0 || usize::from(pad) > PAD_BLOCK {
        return Err(CallbackError::DecryptAes(format!(
            "padding byte {pad} is outside 1..={PAD_BLOCK}"
        )));
    }
    let cut = buf.len().checked_sub(usize::from(pad)).ok_or_else(|| {
        CallbackError::DecryptAes(format!(
            "padding of {pad} bytes is longer than the {}-byte buffer",
            buf.len()
        ))
    })?;
    let (content, padding) = buf
        .split_at_checked(cut)
        .ok_or_else(|| CallbackError::DecryptAes("the padding is out of range".to_string()))?;
    if padding.iter().any(|&b| b != pad) {
        return Err(CallbackError::DecryptAes(format!(
            "inconsistent padding: the last byte is {pad} but not all of the last {pad} bytes are"
        )));
    }
    Ok(content)
}

/// A POST body read and decrypted by [`Crypto::open`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Opened {
    /// The envelope the ciphertext came in (its format, `ToUserName`, `AgentID`).
    pub envelope: Envelope,
    /// The decrypted message: an XML document for most callbacks, JSON for robots.
    pub plaintext: Vec<u8>,
}

impl Opened {
    /// The message read into a tree ([`parse_tree`]).
    pub fn tree(&self) -> Result<Tree, CallbackError> {
        parse_tree(&self.plaintext)
    }
}

/// Where the 16 random bytes that start each encrypted message come from.
///
/// [`OsRandom`] (the default) asks the operating system. Tests inject fixed bytes: any
/// `FnMut() -> [u8; 16]` is a source, or use [`ReplyBuilder::random_prefix`].
pub trait RandomSource {
    /// The next 16 random bytes, or (when there are none to be had)
    /// [`CallbackError::EncryptAes`], which the encryption then returns.
    fn random_prefix(&mut self) -> Result<[u8; 16], CallbackError>;
}

impl<F: FnMut() -> [u8; 16]> RandomSource for F {
    fn random_prefix(&mut self) -> Result<[u8; 16], CallbackError> {
        Ok(self())
    }
}

/// The operating system's random number generator (`getrandom`).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn random_prefix(&mut self) -> Result<[u8; 16], CallbackError> {
        let mut bytes = [0; RANDOM_LEN];
        os_random(&mut bytes)?;
        Ok(bytes)
    }
}

fn os_random(buf: &mut [u8]) -> Result<(), CallbackError> {
    getrandom::fill(buf)
        .map_err(|e| CallbackError::EncryptAes(format!("the system's random number generator failed: {e}")))
}

/// An encrypted passive reply being put together; made by [`Crypto::reply`], finished by
/// [`seal`](Self::seal).
///
/// ```
/// use wecom_sdk::callback::Crypto;
///
/// # fn main() -> Result<(), wecom_sdk::callback::CallbackError> {
/// let crypto = Crypto::new("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7")?;
/// let reply = crypto
///     .reply("<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[收到]]></Content></xml>")
///     .timestamp(1409659813) // the request's timestamp and nonce may be echoed back
///     .nonce("1372623149")
///     .seal()?;
/// assert!(reply.to_xml().starts_with("<xml><Encrypt><![CDATA["));
/// assert_eq!(reply.msg_signature(), crypto.signature("1409659813", "1372623149", reply.encrypt()));
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a reply does nothing until it is sealed"]
pub struct ReplyBuilder<'a> {
    crypto: &'a Crypto,
    plaintext: &'a [u8],
    timestamp: Option<u64>,
    nonce: Option<String>,
    random_prefix: Option<[u8; 16]>,
}

impl ReplyBuilder<'_> {
    /// The `TimeStamp` (Unix seconds); by default, now.
    pub fn timestamp(mut self, timestamp: u64) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    /// The `Nonce`: 1 to 64 ASCII letters, digits, `-`, `_` or `.` (WeCom's nonces are digits);
    /// by default 16 random letters and digits. Anything else fails [`seal`](Self::seal) with
    /// [`CallbackError::GenReturnXml`] (-40011).
    pub fn nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }

    /// The 16 bytes that start the plaintext before encryption; by default random from the
    /// operating system. For reproducible tests only: real replies should keep the default.
    pub fn random_prefix(mut self, bytes: [u8; 16]) -> Self {
        self.random_prefix = Some(bytes);
        self
    }

    /// Encrypts and signs: the ciphertext, its `msg_signature`, the timestamp and the nonce.
    ///
    /// Errors: [`CallbackError::GenReturnXml`] (-40011) for a nonce that cannot be written
    /// into the envelope; [`CallbackError::EncryptAes`] (-40006) as for [`Crypto::encrypt`].
    pub fn seal(self) -> Result<Reply, CallbackError> {
        let nonce = match self.nonce {
            Some(nonce) => {
                check_nonce(&nonce)?;
                nonce
            }
            None => random_nonce()?,
        };
        let timestamp = self.timestamp.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        });
        let prefix = match self.random_prefix {
            Some(bytes) => bytes,
            None => OsRandom.random_prefix()?,
        };
        let encrypt = self.crypto.encrypt_prefixed(self.plaintext, &prefix)?;
        let msg_signature = self.crypto.signature(&timestamp.to_string(), &nonce, &encrypt);
        Ok(Reply {
            encrypt,
            msg_signature,
            timestamp,
            nonce,
        })
    }
}

fn check_nonce(nonce: &str) -> Result<(), CallbackError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if nonce.is_empty() || nonce.len() > 64 || !nonce.chars().all(allowed) {
        return Err(CallbackError::GenReturnXml(format!(
            "the nonce {} is not 1 to 64 ASCII letters, digits, '-', '_' or '.'",
            quote(nonce, 64)
        )));
    }
    Ok(())
}

fn random_nonce() -> Result<String, CallbackError> {
    const ALPHABET: &[u8; 62] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut bytes = [0u8; 16];
    os_random(&mut bytes).map_err(|e| CallbackError::GenReturnXml(e.detail().to_string()))?;
    Ok(bytes
        .iter()
        .filter_map(|b| ALPHABET.get(usize::from(*b) % ALPHABET.len()))
        .map(|&b| char::from(b))
        .collect())
}

/// An encrypted, signed passive reply; write it as the response body with
/// [`to_xml`](Self::to_xml) (apps) or [`to_json`](Self::to_json) (robots), in the format of the
/// request's envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    encrypt: String,
    msg_signature: String,
    timestamp: u64,
    nonce: String,
}

impl Reply {
    /// The base64 ciphertext.
    pub fn encrypt(&self) -> &str {
        &self.encrypt
    }

    /// The signature over the token, timestamp, nonce and ciphertext.
    pub fn msg_signature(&self) -> &str {
        &self.msg_signature
    }

    /// The timestamp, in Unix seconds.
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// The nonce.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// The XML envelope of a passive reply, on one line:
    /// `<xml><Encrypt><![CDATA[…]]></Encrypt><MsgSignature><![CDATA[…]]></MsgSignature><TimeStamp>…</TimeStamp><Nonce><![CDATA[…]]></Nonce></xml>`.
    pub fn to_xml(&self) -> String {
        format!(
            "<xml><Encrypt><![CDATA[{}]]></Encrypt><MsgSignature><![CDATA[{}]]></MsgSignature>\
             <TimeStamp>{}</TimeStamp><Nonce><![CDATA[{}]]></Nonce></xml>",
            self.encrypt, self.msg_signature, self.timestamp, self.nonce
        )
    }

    /// The JSON envelope of a robot's (智能机器人) passive reply, compact, with the key names
    /// and string values of Tencent's JSON library (`WXBizJsonMsgCrypt`):
    /// `{"encrypt":"…","msgsignature":"…","timestamp":"…","nonce":"…"}`.
    pub fn to_json(&self) -> String {
        // Every value is base64, hex, digits or a checked nonce: none needs escaping.
        format!(
            "{{\"encrypt\":\"{}\",\"msgsignature\":\"{}\",\"timestamp\":\"{}\",\"nonce\":\"{}\"}}",
            self.encrypt, self.msg_signature, self.timestamp, self.nonce
        )
    }
}
