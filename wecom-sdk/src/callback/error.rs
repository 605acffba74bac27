//! The one error type of the callback module, keyed by the official WXBizMsgCrypt return codes.

use thiserror::Error;

/// Why a callback could not be verified, decrypted, parsed or sealed.
///
/// Each variant is one return code of Tencent's WXBizMsgCrypt library (the official
/// "加解密库的返回码" table), so a failure reads the same here as in WeCom's documentation and in
/// the other languages' libraries: [`code`](Self::code) gives the number, [`name`](Self::name)
/// the library's constant. The text carried by a variant says what happened in this instance
/// (for example "padding byte 0 is outside 1..=32"); it never contains the token or the
/// EncodingAESKey.
///
/// Two codes are listed for completeness only: SHA-1 cannot fail, so
/// [`ComputeSignature`](Self::ComputeSignature) (-40003) is never returned, and neither is
/// [`EncodeBase64`](Self::EncodeBase64) (-40009).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// -40001 `ValidateSignatureError` (签名验证错误): `msg_signature` is not the SHA-1 of the
    /// sorted token, timestamp, nonce and ciphertext.
    #[error("签名验证错误 (-40001 ValidateSignatureError): {0}")]
    ValidateSignature(String),
    /// -40002 `ParseXmlError` (xml/json解析失败): a body or a decrypted document is not the XML
    /// or JSON it should be.
    #[error("xml/json解析失败 (-40002 ParseXmlError): {0}")]
    ParseXml(String),
    /// -40003 `ComputeSignatureError` (sha加密生成签名失败): the signature could not be
    /// computed. Never returned by this implementation.
    #[error("sha加密生成签名失败 (-40003 ComputeSignatureError): {0}")]
    ComputeSignature(String),
    /// -40004 `IllegalAesKey` (AESKey 非法): the EncodingAESKey is not 43 base64 characters
    /// that decode to a 32-byte key.
    #[error("AESKey 非法 (-40004 IllegalAesKey): {0}")]
    IllegalAesKey(String),
    /// -40005 `ValidateCorpidError` (ReceiveId 校验错误): the receive id that ends the
    /// decrypted buffer is not the configured one (the corp id, the suite id, or `""`).
    #[error("ReceiveId 校验错误 (-40005 ValidateCorpidError): {0}")]
    ValidateReceiveId(String),
    /// -40006 `EncryptAESError` (AES 加密失败): a reply could not be encrypted.
    #[error("AES 加密失败 (-40006 EncryptAESError): {0}")]
    EncryptAes(String),
    /// -40007 `DecryptAESError` (AES 解密失败): the ciphertext is not whole AES blocks, or the
    /// PKCS#7 padding (to 32-byte blocks) is malformed.
    #[error("AES 解密失败 (-40007 DecryptAESError): {0}")]
    DecryptAes(String),
    /// -40008 `IllegalBuffer` (解密后得到的buffer非法): the decrypted buffer is too short for
    /// its header, its length field points past its end, or a text is not UTF-8.
    #[error("解密后得到的buffer非法 (-40008 IllegalBuffer): {0}")]
    IllegalBuffer(String),
    /// -40009 `EncodeBase64Error` (base64加密失败). Never returned by this implementation.
    #[error("base64加密失败 (-40009 EncodeBase64Error): {0}")]
    EncodeBase64(String),
    /// -40010 `DecodeBase64Error` (base64解密失败): the ciphertext is not valid base64.
    #[error("base64解密失败 (-40010 DecodeBase64Error): {0}")]
    DecodeBase64(String),
    /// -40011 `GenReturnXmlError` (生成xml/json失败): a reply envelope could not be built (for
    /// example from a nonce that cannot be written into it).
    #[error("生成xml/json失败 (-40011 GenReturnXmlError): {0}")]
    GenReturnXml(String),
}

impl CallbackError {
    /// The official WXBizMsgCrypt return code, -40001 to -40011.
    pub fn code(&self) -> i32 {
        match self {
            CallbackError::ValidateSignature(_) => -40001,
            CallbackError::ParseXml(_) => -40002,
            CallbackError::ComputeSignature(_) => -40003,
            CallbackError::IllegalAesKey(_) => -40004,
            CallbackError::ValidateReceiveId(_) => -40005,
            CallbackError::EncryptAes(_) => -40006,
            CallbackError::DecryptAes(_) => -40007,
            CallbackError::IllegalBuffer(_) => -40008,
            CallbackError::EncodeBase64(_) => -40009,
            CallbackError::DecodeBase64(_) => -40010,
            CallbackError::GenReturnXml(_) => -40011,
        }
    }

    /// The name of the code's constant in Tencent's libraries (`ValidateSignatureError`, …).
    pub fn name(&self) -> &'static str {
        match self {
            CallbackError::ValidateSignature(_) => "ValidateSignatureError",
            CallbackError::ParseXml(_) => "ParseXmlError",
            CallbackError::ComputeSignature(_) => "ComputeSignatureError",
            CallbackError::IllegalAesKey(_) => "IllegalAesKey",
            CallbackError::ValidateReceiveId(_) => "ValidateCorpidError",
            CallbackError::EncryptAes(_) => "EncryptAESError",
            CallbackError::DecryptAes(_) => "DecryptAESError",
            CallbackError::IllegalBuffer(_) => "IllegalBuffer",
            CallbackError::EncodeBase64(_) => "EncodeBase64Error",
            CallbackError::DecodeBase64(_) => "DecodeBase64Error",
            CallbackError::GenReturnXml(_) => "GenReturnXmlError",
        }
    }

    /// What happened, without the code and its official meaning.
    pub fn detail(&self) -> &str {
        match self {
            CallbackError::ValidateSignature(d)
            | CallbackError::ParseXml(d)
            | CallbackError::ComputeSignature(d)
            | CallbackError::IllegalAesKey(d)
            | CallbackError::ValidateReceiveId(d)
            | CallbackError::EncryptAes(d)
            | CallbackError::DecryptAes(d)
            | CallbackError::IllegalBuffer(d)
            | CallbackError::EncodeBase64(d)
            | CallbackError::DecodeBase64(d)
            | CallbackError::GenReturnXml(d) => d,
        }
    }
}

/// At most `max` characters of `text`, with control characters escaped, for quoting untrusted
/// input in an error message.
pub(crate) fn quote(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    format!("{out:?}")
}
