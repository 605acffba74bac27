//! Tests of the callback module: Tencent's sample vectors, vectors computed independently,
//! round trips, every error code, and garbage that must not panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;

use aes::Aes256;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockModeDecrypt as _, BlockModeEncrypt as _, KeyIvInit as _};
use serde_json::json;

use super::*;

// ---- Tencent's sample vectors ------------------------------------------------------------
//
// From the sample code of Tencent's WXBizMsgCrypt libraries (Sample.cs / Sample.php / the Java
// tests, linked from the "加解密库下载与返回码" page of the WeCom docs) and the worked example of
// the "加解密方案说明" page (developer.work.weixin.qq.com/document/path/91144):
// token, EncodingAESKey and receive id (the sample corp id):
const TOKEN: &str = "QDG6eK";
const ENCODING_AES_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
const CORP_ID: &str = "wx5823bf96d3bd56c7";
// 1. The URL verification: GET /cgi-bin/wxpush?msg_signature=5c45ff5e…&timestamp=1409659589
//    &nonce=263014780&echostr=P9nAzCzy…%3D%3D (shown URL-decoded here).
const URL_SIGNATURE: &str = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3";
const URL_TIMESTAMP: &str = "1409659589";
const URL_NONCE: &str = "263014780";
const URL_ECHOSTR: &str =
    "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==";
// 2. The POST message: msg_signature=477715d1…&timestamp=1409659813&nonce=1372623149 and this
//    body (sReqData of Sample.cs).
const POST_SIGNATURE: &str = "477715d11cdb4164915debcba66cb864d751f3e6";
const POST_TIMESTAMP: &str = "1409659813";
const POST_NONCE: &str = "1372623149";
const POST_ENCRYPT: &str = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==";

fn official() -> Crypto {
    Crypto::new(TOKEN, ENCODING_AES_KEY, CORP_ID).unwrap()
}

/// The raw AES key of the official EncodingAESKey, for crafting ciphertexts by hand.
fn official_key() -> [u8; 32] {
    raw_key(ENCODING_AES_KEY)
}

fn raw_key(encoding_aes_key: &str) -> [u8; 32] {
    use base64::alphabet;
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    let lenient = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    );
    lenient
        .decode(format!("{encoding_aes_key}="))
        .unwrap()
        .try_into()
        .unwrap()
}

/// AES-256-CBC (IV = key[..16]) over `buf` as it is (no padding added), base64.
fn raw_encrypt(key: &[u8; 32], buf: &[u8]) -> String {
    let mut buf = buf.to_vec();
    let len = buf.len();
    let ct = cbc::Encryptor::<Aes256>::new_from_slices(key, &key[..16])
        .unwrap()
        .encrypt_padded::<NoPadding>(&mut buf, len)
        .unwrap()
        .to_vec();
    STANDARD.encode(ct)
}

/// The inverse of `raw_encrypt`: the decrypted buffer with its padding still on.
fn raw_decrypt(key: &[u8; 32], encrypted: &str) -> Vec<u8> {
    let mut data = STANDARD.decode(encrypted).unwrap();
    cbc::Decryptor::<Aes256>::new_from_slices(key, &key[..16])
        .unwrap()
        .decrypt_padded::<NoPadding>(&mut data)
        .unwrap()
        .to_vec()
}

/// `random ‖ len ‖ msg ‖ id`, unpadded.
fn frame(msg: &[u8], receive_id: &[u8]) -> Vec<u8> {
    let mut buf = b"0123456789abcdef".to_vec();
    buf.extend_from_slice(&(msg.len() as u32).to_be_bytes());
    buf.extend_from_slice(msg);
    buf.extend_from_slice(receive_id);
    buf
}

fn pkcs7_32(mut buf: Vec<u8>) -> Vec<u8> {
    let pad = 32 - buf.len() % 32;
    buf.resize(buf.len() + pad, pad as u8);
    buf
}

/// Decrypts a crafted ciphertext through the public API (signed, so that it gets past the
/// signature check).
fn decrypt_crafted(crypto: &Crypto, encrypted: &str) -> Result<Vec<u8>, CallbackError> {
    let sig = crypto.signature("1700000000", "n", encrypted);
    crypto.decrypt(&sig, "1700000000", "n", encrypted)
}

#[test]
fn official_url_verification_returns_the_echo() {
    let crypto = official();
    assert_eq!(
        crypto.signature(URL_TIMESTAMP, URL_NONCE, URL_ECHOSTR),
        URL_SIGNATURE
    );
    let echo = crypto
        .verify_url(URL_SIGNATURE, URL_TIMESTAMP, URL_NONCE, URL_ECHOSTR)
        .unwrap();
    // The same plaintext comes out of an independent AES implementation (Python's
    // `cryptography`) on this vector.
    assert_eq!(echo, "1616140317555161061");
}

#[test]
fn official_post_signature_is_the_documented_one() {
    // 加解密方案说明, 举例说明: sort_str = "13726231491409659813QDG6eKRypEvHK…" and
    // sha1(sort_str) = "477715d11cdb4164915debcba66cb864d751f3e6".
    assert_eq!(
        official().signature(POST_TIMESTAMP, POST_NONCE, POST_ENCRYPT),
        POST_SIGNATURE
    );
}

#[test]
fn official_post_message_opens_to_the_documented_plaintext() {
    let body = format!(
        "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[{POST_ENCRYPT}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
    );
    let opened = official()
        .open(POST_SIGNATURE, POST_TIMESTAMP, POST_NONCE, body.as_bytes())
        .unwrap();
    assert_eq!(opened.envelope.format, Format::Xml);
    assert_eq!(opened.envelope.to_user_name.as_deref(), Some(CORP_ID));
    assert_eq!(opened.envelope.agent_id.as_deref(), Some("218"));
    // The bytes an independent implementation (Python's `cryptography`) decrypts this to.
    assert_eq!(
        String::from_utf8(opened.plaintext.clone()).unwrap(),
        "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n\
         <FromUserName><![CDATA[mycreate]]></FromUserName>\n\
         <CreateTime>1409659813</CreateTime>\n\
         <MsgType><![CDATA[text]]></MsgType>\n\
         <Content><![CDATA[hello]]></Content>\n\
         <MsgId>4561255354251345929</MsgId>\n\
         <AgentID>218</AgentID>\n\
         </xml>"
    );
    // The fields the docs list for the decrypted message.
    let tree = opened.tree().unwrap();
    assert_eq!(
        serde_json::Value::Object(tree),
        json!({
            "ToUserName": "wx5823bf96d3bd56c7",
            "FromUserName": "mycreate",
            "CreateTime": "1409659813",
            "MsgType": "text",
            "Content": "hello",
            "MsgId": "4561255354251345929",
            "AgentID": "218",
        })
    );
}

#[test]
fn the_official_key_needs_lenient_base64() {
    // Its last character ('C') leaves non-zero unused bits, which a strict decoder rejects.
    assert!(STANDARD.decode(format!("{ENCODING_AES_KEY}=")).is_err());
    assert!(Crypto::new(TOKEN, ENCODING_AES_KEY, CORP_ID).is_ok());
}

// ---- replies, byte for byte ---------------------------------------------------------------
//
// The expected values below were computed with Python's `cryptography` package (AES-256-CBC,
// IV = key[:16]), hashlib.sha1 over the sorted strings and base64.b64encode, from the same
// inputs: an implementation independent of this one.

/// sRespData of Tencent's Sample.cs, whose Chinese text checks that the length counts bytes.
const SAMPLE_REPLY: &str = "<xml><ToUserName><![CDATA[mycreate]]></ToUserName><FromUserName><![CDATA[wx582测试一下中文的情况，消息长度是按字节来算的396d3bd56c7]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[this is这是一个中文测试 a test]]></Content><MsgId>1234567890123456</MsgId><AgentID>128</AgentID></xml>";
const SAMPLE_REPLY_ENCRYPT: &str = "ZA4HuQypHxnRrA+A6SOHGDnHE7kB9D0VWhovfeMt2+qM7C60DFzEn6s/fgVUioceiRbQhzgbr2PeQG7RsYEKw+OPEmJF2Za5GInJsEjdMUP9Dm3VeXfW0+fRsWykIpEcs/stoRifFubRNcGkLcaeoVOSL4L7sMW6dIaQG503gbPMqQ+ftmrc5E4gTtFehG56ENFAWVtpT735OA/qXt1S6N8S4kDQlhlTZhrTVzdev+EWnjpVi2+M/vDbugIm4BqkcpUk58vgLnvnDw6F8S/JyJ7sEo4jcYU8bacPxGrnsigZa/HYssP5ns1oFTSsIHcwsbLbvDdtsyqOgw39hr11cWH0j7/wo2T3Z/h1bi3rBEi8ALo+3kqXc3zdCH7zqKTgDkrc5wQwUunvZWM0NRIuohcRQ6htFpxJLksqodu8FV2rPuvctSUY4jFTevpusDRVcUo1+bOOAeHGSXAS8cpm/MRnlyBozJrroV7V/iRjefBteUFXJ2A1ghUJfHnhH2wsKqb0vA4Gy32vDmdUBIIiLAtb0T/KoepGuEhLk9zMl8k=";

#[test]
fn an_xml_reply_is_exact_with_injected_randomness_timestamp_and_nonce() {
    let crypto = official();
    let reply = crypto
        .reply(SAMPLE_REPLY)
        .timestamp(1409659813)
        .nonce("1372623149")
        .random_prefix(*b"aaaabbbbccccdddd")
        .seal()
        .unwrap();
    assert_eq!(reply.encrypt(), SAMPLE_REPLY_ENCRYPT);
    assert_eq!(reply.msg_signature(), "0364f8ca8fbe5ba0c4a0672e4e757cff7cf7f742");
    assert_eq!((reply.timestamp(), reply.nonce()), (1409659813, "1372623149"));
    assert_eq!(
        reply.to_xml(),
        format!(
            "<xml><Encrypt><![CDATA[{SAMPLE_REPLY_ENCRYPT}]]></Encrypt><MsgSignature><![CDATA[0364f8ca8fbe5ba0c4a0672e4e757cff7cf7f742]]></MsgSignature><TimeStamp>1409659813</TimeStamp><Nonce><![CDATA[1372623149]]></Nonce></xml>"
        )
    );
    // What WeCom does with it: read the envelope, check the signature, decrypt.
    let opened = crypto.open(
        reply.msg_signature(),
        "1409659813",
        "1372623149",
        reply.to_xml().as_bytes(),
    );
    assert_eq!(opened.unwrap().plaintext, SAMPLE_REPLY.as_bytes());
    // The length field counts bytes, not characters.
    let raw = raw_decrypt(&official_key(), SAMPLE_REPLY_ENCRYPT);
    assert_eq!(
        u32::from_be_bytes(raw[16..20].try_into().unwrap()) as usize,
        SAMPLE_REPLY.len()
    );
    assert!(SAMPLE_REPLY.len() > SAMPLE_REPLY.chars().count());
}

#[test]
fn a_robot_json_reply_is_exact() {
    // A robot's configuration: receive id "".
    let crypto = Crypto::new(TOKEN, ENCODING_AES_KEY, "").unwrap();
    let plaintext = r#"{"msgtype":"stream","stream":{"id":"STREAMID","finish":true,"content":"你好 👋"}}"#;
    let reply = crypto
        .reply(plaintext)
        .timestamp(1700000000)
        .nonce("nonce42")
        .random_prefix(*b"0123456789ABCDEF")
        .seal()
        .unwrap();
    assert_eq!(
        reply.to_json(),
        r#"{"encrypt":"Yiv0frhYHVZdST6TozH0YS7Z0AD5tlX4VOYyq+F1UkWu4oteoDCoJiwhnrB3gZVzUYuROopzUdfNU1tIGvLj24X4C/4GIkvSK+tAoy1gXbo7Y/NNhSNfL4CrUbUtq28+uh8UGMzSRnDtxcntXeCJi/p2VpEjiefbWfWhCQ+cxl4=","msgsignature":"0ab17b6d3d661176492b9da341a90cd103d88712","timestamp":"1700000000","nonce":"nonce42"}"#
    );
    let envelope: serde_json::Value = serde_json::from_str(&reply.to_json()).unwrap();
    let opened = crypto
        .open(
            reply.msg_signature(),
            "1700000000",
            "nonce42",
            reply.to_json().as_bytes(),
        )
        .unwrap();
    assert_eq!(opened.envelope.format, Format::Json);
    assert_eq!(opened.envelope.encrypt, envelope["encrypt"]);
    assert_eq!(opened.tree().unwrap()["stream"]["content"], "你好 👋");
}

#[test]
fn a_message_that_needs_a_full_block_of_padding() {
    // 16 + 4 + 26 + 18 = 64 bytes: a whole number of 32-byte blocks, so 32 bytes of padding.
    let message = "x".repeat(26);
    let prefix: [u8; 16] = core::array::from_fn(|i| i as u8);
    let encrypted = official().encrypt_with(&message, &mut || prefix).unwrap();
    // Computed independently (Python `cryptography`), as above.
    assert_eq!(
        encrypted,
        "JVwoIzeb5XuqKIT2XqjnoDn/FOcqbwzrJSzKSABQwfzj+fxN1jIVYRvuBkWw13rxocyogTDU1u/7/Lbq01+AWdcoDgsRqHSelbMX55WzOcVWA0W+/B4I13SzWfBd7jaw"
    );
    let raw = raw_decrypt(&official_key(), &encrypted);
    assert_eq!(raw.len(), 96);
    assert!(raw[64..].iter().all(|&b| b == 32));
    assert_eq!(
        decrypt_crafted(&official(), &encrypted).unwrap(),
        message.as_bytes()
    );
}

// ---- round trips --------------------------------------------------------------------------

fn random_encoding_aes_key(rng: &mut fastrand::Rng) -> String {
    let mut key = [0u8; 32];
    rng.fill(&mut key);
    let encoded = STANDARD.encode(key);
    assert!(encoded.ends_with('='));
    encoded.trim_end_matches('=').to_string()
}

fn random_text(rng: &mut fastrand::Rng, chars: usize) -> String {
    const PIECES: &[&str] = &[
        "a",
        "Z",
        "0",
        " ",
        "<",
        "&",
        "中",
        "文",
        "企业微信",
        "😀",
        "👋🏽",
        "é",
        "\n",
    ];
    (0..chars).map(|_| PIECES[rng.usize(..PIECES.len())]).collect()
}

#[test]
fn round_trips_with_random_keys_lengths_and_utf8() {
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    for receive_id in ["", CORP_ID, "wwsuite0123456789", "ww中文"] {
        let crypto = Crypto::new("token", &random_encoding_aes_key(&mut rng), receive_id).unwrap();
        for len in 0..100 {
            let text = random_text(&mut rng, len);
            let encrypted = crypto.encrypt(&text).unwrap();
            let signature = crypto.signature("1409659813", "nonce", &encrypted);
            let back = crypto
                .decrypt(&signature, "1409659813", "nonce", &encrypted)
                .unwrap();
            assert_eq!(
                back,
                text.as_bytes(),
                "receive id {receive_id:?}, {len} characters"
            );
            let echo = crypto
                .verify_url(&signature, "1409659813", "nonce", &encrypted)
                .unwrap();
            assert_eq!(echo, text);
        }
    }
}

#[test]
fn every_padding_length_round_trips_and_pads_to_32() {
    let crypto = official();
    let key = official_key();
    let mut seen = std::collections::BTreeSet::new();
    for len in 0..64 {
        let message = vec![b'm'; len];
        let encrypted = crypto.encrypt(&message).unwrap();
        let raw = raw_decrypt(&key, &encrypted);
        assert_eq!(raw.len() % 32, 0);
        let pad = *raw.last().unwrap();
        assert!((1..=32).contains(&pad));
        assert_eq!(raw.len(), 20 + len + CORP_ID.len() + usize::from(pad));
        seen.insert(pad);
        assert_eq!(decrypt_crafted(&crypto, &encrypted).unwrap(), message);
    }
    assert_eq!(seen.len(), 32, "every pad value from 1 to 32 occurs");
}

#[test]
fn fresh_randomness_and_nonces_by_default() {
    let crypto = official();
    assert_ne!(crypto.encrypt("same").unwrap(), crypto.encrypt("same").unwrap());
    let a = crypto.reply("same").seal().unwrap();
    let b = crypto.reply("same").seal().unwrap();
    assert_ne!(a.encrypt(), b.encrypt());
    assert_ne!(a.nonce(), b.nonce());
    assert_eq!(a.nonce().len(), 16);
    assert!(a.nonce().chars().all(|c| c.is_ascii_alphanumeric()));
    assert!(a.timestamp() > 1_700_000_000);
    assert_eq!(
        a.msg_signature(),
        crypto.signature(&a.timestamp().to_string(), a.nonce(), a.encrypt())
    );
}

// ---- every error code, from a crafted input -------------------------------------------------

#[test]
fn a_bad_signature_is_40001() {
    let crypto = official();
    let mut wrong = URL_SIGNATURE.to_string();
    wrong.replace_range(0..1, "6");
    for signature in [
        wrong.as_str(),
        "",
        &URL_SIGNATURE.to_uppercase(),
        &URL_SIGNATURE[..39],
    ] {
        let err = crypto
            .verify_url(signature, URL_TIMESTAMP, URL_NONCE, URL_ECHOSTR)
            .unwrap_err();
        assert_eq!(err.code(), -40001, "{signature:?}");
        assert_eq!(err.name(), "ValidateSignatureError");
    }
    // Any change to what is signed breaks it too.
    let err = crypto
        .verify_url(URL_SIGNATURE, "1409659590", URL_NONCE, URL_ECHOSTR)
        .unwrap_err();
    assert!(matches!(err, CallbackError::ValidateSignature(_)));
    let other_token = Crypto::new("QDG6eL", ENCODING_AES_KEY, CORP_ID).unwrap();
    assert_eq!(
        other_token
            .verify_url(URL_SIGNATURE, URL_TIMESTAMP, URL_NONCE, URL_ECHOSTR)
            .unwrap_err()
            .code(),
        -40001
    );
}

#[test]
fn envelopes_that_are_not_xml_or_json_are_40002() {
    for body in [
        &b""[..],
        b"   \n\t",
        b"encrypt=abc",
        b"[\"encrypt\"]",
        b"\xEF\xBB\xBF",
        b"<xml><Encrypt>abc</Encrypt>",
        b"<xml><ToUserName>a</ToUserName></xml>",
        b"<xml><Encrypt></Encrypt></xml>",
        b"<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>",
        b"<xml><Encrypt><X>a</X></Encrypt></xml>",
        b"{\"Encrypt\": \"abc\"}",
        b"{\"encrypt\": 5}",
        b"{\"encrypt\": \"\"}",
        b"{\"encrypt\": \"abc\"",
        b"\xff\xfe<xml/>",
    ] {
        let err = Envelope::parse(body).unwrap_err();
        assert_eq!(err.code(), -40002, "{:?}", String::from_utf8_lossy(body));
        assert_eq!(err.name(), "ParseXmlError");
        assert!(official().open("x", "1", "n", body).is_err());
    }
    let err = Envelope::parse(b"encrypt=abc").unwrap_err();
    assert!(err.to_string().contains("0x65"), "{err}");
}

#[test]
fn envelopes_read_with_whitespace_bom_and_optional_fields() {
    let xml =
        Envelope::parse(b"\xEF\xBB\xBF \n<xml>\n  <Encrypt><![CDATA[abc=]]></Encrypt>\n</xml>\n").unwrap();
    assert_eq!((xml.format, xml.encrypt.as_str()), (Format::Xml, "abc="));
    assert_eq!((xml.to_user_name, xml.agent_id), (None, None));
    let json = Envelope::parse(b"  {\"encrypt\": \"abc=\", \"other\": 1}").unwrap();
    assert_eq!((json.format, json.encrypt.as_str()), (Format::Json, "abc="));
}

#[test]
fn a_bad_encoding_aes_key_is_40004_and_never_quoted() {
    let cases = [
        ENCODING_AES_KEY[..42].to_string(),
        format!("{ENCODING_AES_KEY}A"),
        String::new(),
        format!("{}!", &ENCODING_AES_KEY[..42]),
        format!("{}中", &ENCODING_AES_KEY[..40]),
        format!("{ENCODING_AES_KEY}="),
    ];
    for key in &cases {
        let err = Crypto::new(TOKEN, key, CORP_ID).unwrap_err();
        assert_eq!(err.code(), -40004, "{key:?}");
        assert_eq!(err.name(), "IllegalAesKey");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(&ENCODING_AES_KEY[..20]), "{shown}");
    }
}

#[test]
fn a_wrong_receive_id_is_40005() {
    let key = official_key();
    for (configured, carried) in [
        (CORP_ID, &b"wx5823bf96d3bd56c8"[..]),
        (CORP_ID, b"wx5823bf96d3bd56c"),
        (CORP_ID, b"wx5823bf96d3bd56c7 "),
        (CORP_ID, b""),
        ("", CORP_ID.as_bytes()),
        ("suite", b"SUITE"),
    ] {
        let crypto = Crypto::new(TOKEN, ENCODING_AES_KEY, configured).unwrap();
        let encrypted = raw_encrypt(&key, &pkcs7_32(frame(b"<xml/>", carried)));
        let err = decrypt_crafted(&crypto, &encrypted).unwrap_err();
        assert_eq!(
            err.code(),
            -40005,
            "{configured:?} vs {:?}",
            String::from_utf8_lossy(carried)
        );
        assert_eq!(err.name(), "ValidateCorpidError");
    }
    // The official POST sample, opened as if for another corp.
    let other = Crypto::new(TOKEN, ENCODING_AES_KEY, "ww0000000000000000").unwrap();
    let err = other
        .decrypt(POST_SIGNATURE, POST_TIMESTAMP, POST_NONCE, POST_ENCRYPT)
        .unwrap_err();
    assert!(err.to_string().contains("wx5823bf96d3bd56c7"), "{err}");
}

#[test]
fn a_message_its_length_field_cannot_count_or_a_failing_random_source_is_40006() {
    // A 4 GiB message is not allocated here: the length check it would meet is.
    assert_eq!(super::crypto::length_field(u32::MAX as usize).unwrap(), u32::MAX);
    if let Some(too_long) = (u32::MAX as usize).checked_add(1) {
        let err = super::crypto::length_field(too_long).unwrap_err();
        assert_eq!((err.code(), err.name()), (-40006, "EncryptAESError"));
        assert!(err.to_string().contains("4294967296 bytes"), "{err}");
    }
    // A source of randomness that has none.
    struct Dry;
    impl RandomSource for Dry {
        fn random_prefix(&mut self) -> Result<[u8; 16], CallbackError> {
            Err(CallbackError::EncryptAes("no entropy".into()))
        }
    }
    let err = official().encrypt_with("x", &mut Dry).unwrap_err();
    assert_eq!((err.code(), err.detail()), (-40006, "no entropy"));
    // A large message is fine.
    let big = vec![b'x'; 1 << 20];
    assert_eq!(
        decrypt_crafted(&official(), &official().encrypt(&big).unwrap()).unwrap(),
        big
    );
}

#[test]
fn malformed_aes_blocks_and_padding_are_40007() {
    let crypto = official();
    let key = official_key();
    let framed = frame(b"<xml/>", CORP_ID.as_bytes());
    let mut cases: Vec<(String, &str)> = Vec::new();
    // Not whole blocks, or nothing at all.
    cases.push((STANDARD.encode([7u8; 17]), "not a positive multiple"));
    cases.push((STANDARD.encode([7u8; 33]), "not a positive multiple"));
    cases.push((String::new(), "0 bytes"));
    // Pad byte 0.
    let mut zero = framed.clone();
    zero.resize(64, 0);
    cases.push((raw_encrypt(&key, &zero), "padding byte 0 is outside 1..=32"));
    // Pad byte 33 (a block of 33s: a 33-byte "padding" would be valid PKCS#7 to 48-byte blocks).
    let mut big = framed.clone();
    big.resize(96, 33);
    cases.push((raw_encrypt(&key, &big), "padding byte 33 is outside 1..=32"));
    // Pad 255.
    let mut max = framed.clone();
    max.resize(64, 255);
    cases.push((raw_encrypt(&key, &max), "padding byte 255 is outside 1..=32"));
    // Inconsistent pad bytes: the last says 5, one of the four before it is 4.
    let mut uneven = pkcs7_32(framed.clone());
    let n = uneven.len();
    uneven[n - 5..].copy_from_slice(&[5, 5, 4, 5, 5]);
    assert_eq!(n % 32, 0);
    cases.push((raw_encrypt(&key, &pkcs_fixup(uneven, 5)), "inconsistent padding"));
    // A pad longer than the whole buffer: one 16-byte block ending in 20.
    let mut short = [20u8; 16];
    short[0] = 1;
    cases.push((raw_encrypt(&key, &short), "longer than the 16-byte buffer"));
    for (encrypted, says) in cases {
        let err = decrypt_crafted(&crypto, &encrypted).unwrap_err();
        assert_eq!(err.code(), -40007, "{err}");
        assert_eq!(err.name(), "DecryptAESError");
        assert!(err.to_string().contains(says), "{err} should say {says:?}");
    }
}

/// Makes sure the buffer's last byte is `pad` (after a hand edit of the padding).
fn pkcs_fixup(mut buf: Vec<u8>, pad: u8) -> Vec<u8> {
    if let Some(last) = buf.last_mut() {
        *last = pad;
    }
    buf
}

#[test]
fn a_buffer_too_short_or_a_length_past_its_end_is_40008() {
    let crypto = official();
    let key = official_key();
    // A length field that points past the end.
    let mut lying = frame(b"<xml/>", CORP_ID.as_bytes());
    lying[16..20].copy_from_slice(&1000u32.to_be_bytes());
    let err = decrypt_crafted(&crypto, &raw_encrypt(&key, &pkcs7_32(lying))).unwrap_err();
    assert_eq!((err.code(), err.name()), (-40008, "IllegalBuffer"));
    assert!(
        err.to_string().contains("says the message is 1000 bytes"),
        "{err}"
    );
    // u32::MAX.
    let mut huge = frame(b"", b"");
    huge[16..20].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(
        decrypt_crafted(&crypto, &raw_encrypt(&key, &pkcs7_32(huge)))
            .unwrap_err()
            .code(),
        -40008
    );
    // Shorter than the 20-byte header once unpadded: 19 bytes + 13 bytes of padding.
    let err = decrypt_crafted(&crypto, &raw_encrypt(&key, &pkcs7_32(vec![1u8; 19]))).unwrap_err();
    assert_eq!(err.code(), -40008);
    assert!(
        err.to_string().contains("shorter than its 20-byte header"),
        "{err}"
    );
    // A URL verification whose echo is not UTF-8.
    let encrypted = raw_encrypt(&key, &pkcs7_32(frame(b"\xff\xfe", CORP_ID.as_bytes())));
    let sig = crypto.signature("1", "2", &encrypted);
    assert_eq!(
        crypto.verify_url(&sig, "1", "2", &encrypted).unwrap_err().code(),
        -40008
    );
}

#[test]
fn bad_base64_is_40010() {
    let crypto = official();
    for encrypted in ["not base64!", "P9nAzCzy\n", "P9nAzCzyDtyTWESH=", "中文"] {
        let err = decrypt_crafted(&crypto, encrypted).unwrap_err();
        assert_eq!(
            (err.code(), err.name()),
            (-40010, "DecodeBase64Error"),
            "{encrypted:?}"
        );
    }
}

#[test]
fn a_nonce_that_cannot_go_into_the_envelope_is_40011() {
    let crypto = official();
    for nonce in ["", "]]>", "a b", "\"", "<", "中文", &"1".repeat(65)] {
        let err = crypto.reply("x").nonce(nonce).seal().unwrap_err();
        assert_eq!(
            (err.code(), err.name()),
            (-40011, "GenReturnXmlError"),
            "{nonce:?}"
        );
    }
    assert!(crypto.reply("x").nonce("abc-DEF_123.4").seal().is_ok());
}

#[test]
fn codes_names_and_display_follow_the_official_table() {
    let table = [
        (
            CallbackError::ValidateSignature("d".into()),
            -40001,
            "ValidateSignatureError",
            "签名验证错误",
        ),
        (
            CallbackError::ParseXml("d".into()),
            -40002,
            "ParseXmlError",
            "xml/json解析失败",
        ),
        (
            CallbackError::ComputeSignature("d".into()),
            -40003,
            "ComputeSignatureError",
            "sha加密生成签名失败",
        ),
        (
            CallbackError::IllegalAesKey("d".into()),
            -40004,
            "IllegalAesKey",
            "AESKey 非法",
        ),
        (
            CallbackError::ValidateReceiveId("d".into()),
            -40005,
            "ValidateCorpidError",
            "ReceiveId 校验错误",
        ),
        (
            CallbackError::EncryptAes("d".into()),
            -40006,
            "EncryptAESError",
            "AES 加密失败",
        ),
        (
            CallbackError::DecryptAes("d".into()),
            -40007,
            "DecryptAESError",
            "AES 解密失败",
        ),
        (
            CallbackError::IllegalBuffer("d".into()),
            -40008,
            "IllegalBuffer",
            "解密后得到的buffer非法",
        ),
        (
            CallbackError::EncodeBase64("d".into()),
            -40009,
            "EncodeBase64Error",
            "base64加密失败",
        ),
        (
            CallbackError::DecodeBase64("d".into()),
            -40010,
            "DecodeBase64Error",
            "base64解密失败",
        ),
        (
            CallbackError::GenReturnXml("d".into()),
            -40011,
            "GenReturnXmlError",
            "生成xml/json失败",
        ),
    ];
    for (err, code, name, meaning) in table {
        assert_eq!((err.code(), err.name(), err.detail()), (code, name, "d"));
        let shown = err.to_string();
        assert!(shown.starts_with(meaning), "{shown}");
        assert!(
            shown.contains(&code.to_string()) && shown.contains(name) && shown.ends_with(": d"),
            "{shown}"
        );
    }
}

// ---- secrets stay secret ------------------------------------------------------------------

#[test]
fn the_types_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<Crypto>();
    shareable::<Reply>();
    shareable::<Envelope>();
    shareable::<Opened>();
    shareable::<CallbackError>();
    shareable::<ReplayGuard>();
}

#[test]
fn debug_shows_neither_token_nor_key() {
    let crypto = Crypto::new("s3cr3t-t0ken", ENCODING_AES_KEY, CORP_ID).unwrap();
    let shown = format!("{crypto:?} {:?} {:#?}", crypto.clone(), crypto.reply("x"));
    assert!(!shown.contains("s3cr3t-t0ken"), "{shown}");
    assert!(
        !shown.contains(ENCODING_AES_KEY) && !shown.contains(&ENCODING_AES_KEY[..10]),
        "{shown}"
    );
    let key_bytes = format!("{:?}", official_key());
    assert!(!shown.contains(&key_bytes[1..20]), "{shown}");
    assert!(shown.contains("[redacted]") && shown.contains(CORP_ID), "{shown}");
}

#[test]
fn no_error_message_contains_the_token_or_the_key() {
    let crypto = Crypto::new("s3cr3t-t0ken", ENCODING_AES_KEY, CORP_ID).unwrap();
    let key = official_key();
    let errors = [
        crypto.verify_url("bad", "1", "2", URL_ECHOSTR).unwrap_err(),
        decrypt_crafted(&crypto, "!!").unwrap_err(),
        decrypt_crafted(&crypto, &STANDARD.encode([0u8; 17])).unwrap_err(),
        decrypt_crafted(&crypto, &raw_encrypt(&key, &[0u8; 32])).unwrap_err(),
        decrypt_crafted(&crypto, &raw_encrypt(&key, &pkcs7_32(frame(b"x", b"other")))).unwrap_err(),
        crypto.reply("x").nonce("]]>").seal().unwrap_err(),
        Envelope::parse(b"nope").unwrap_err(),
    ];
    for err in errors {
        let shown = format!("{err} {err:?}");
        assert!(
            !shown.contains("s3cr3t-t0ken") && !shown.contains(&ENCODING_AES_KEY[..12]),
            "{shown}"
        );
    }
}

// ---- the tree -----------------------------------------------------------------------------

fn tree(document: &str) -> serde_json::Value {
    serde_json::Value::Object(parse_tree(document.as_bytes()).unwrap())
}

#[test]
fn a_suite_callback_becomes_a_flat_tree() {
    let doc = "<xml>\n  <SuiteId><![CDATA[ww4asffe9xxx4c0f4c]]></SuiteId>\n  <InfoType> <![CDATA[suite_ticket]]> </InfoType>\n  <TimeStamp>1403610513</TimeStamp>\n  <SuiteTicket><![CDATA[asdfasfdasdfasdf]]></SuiteTicket>\n</xml>";
    assert_eq!(
        tree(doc),
        json!({
            "SuiteId": "ww4asffe9xxx4c0f4c",
            "InfoType": "suite_ticket",
            "TimeStamp": "1403610513",
            "SuiteTicket": "asdfasfdasdfasdf",
        })
    );
}

#[test]
fn nested_repeated_and_empty_elements() {
    let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
        <!-- a comment -->
        <xml>
          <ToUserName><![CDATA[toUser]]></ToUserName>
          <Empty/>
          <AlsoEmpty></AlsoEmpty>
          <Blank>   </Blank>
          <ExtAttr attr="ignored">
            <Item><Name>爱好</Name><Type>0</Type><Text><Value>旅游</Value></Text></Item>
            <Item><Name>卡号</Name><Type>1</Type><Web><Title>主页</Title><Url>https://a.example/?a=1&amp;b=2</Url></Web></Item>
            <Item><Name>third</Name></Item>
          </ExtAttr>
          <Tag>a</Tag><Tag>b</Tag>
          <Single><Item>only</Item></Single>
        </xml>"#;
    assert_eq!(
        tree(doc),
        json!({
            "ToUserName": "toUser",
            "Empty": "",
            "AlsoEmpty": "",
            "Blank": "",
            "ExtAttr": {
                "Item": [
                    {"Name": "爱好", "Type": "0", "Text": {"Value": "旅游"}},
                    {"Name": "卡号", "Type": "1", "Web": {"Title": "主页", "Url": "https://a.example/?a=1&b=2"}},
                    {"Name": "third"},
                ]
            },
            "Tag": ["a", "b"],
            "Single": {"Item": "only"},
        })
    );
}

#[test]
fn text_rules_cdata_verbatim_whitespace_outside_trimmed() {
    let doc = "<xml><A><![CDATA[ hi ]]></A><B> \n x y \t</B><C>\n <![CDATA[a]]>&amp;<![CDATA[b]]> \n</C>\
               <D>&#20013;&#x6587;&lt;&gt;&quot;&apos;</D><E>\u{3000}全角\u{3000}</E><F>a\r\nb</F>\
               <G><![CDATA[x]]]]><![CDATA[>y]]></G><H>text<Child>1</Child>more</H></xml>";
    assert_eq!(
        tree(doc),
        json!({
            "A": " hi ",
            "B": "x y",
            "C": "a&b",
            "D": "中文<>\"'",
            "E": "\u{3000}全角\u{3000}",
            "F": "a\nb",
            "G": "x]]>y",
            "H": {"Child": "1"},
        })
    );
}

#[test]
fn json_plaintext_and_empty_root() {
    assert_eq!(
        tree(
            r#" {"msgid":"CAIQ","aibotid":"AIBOT","from":{"userid":"zhangsan"},"msgtype":"text","text":{"content":"@robot 你好"}}"#
        ),
        json!({"msgid":"CAIQ","aibotid":"AIBOT","from":{"userid":"zhangsan"},"msgtype":"text","text":{"content":"@robot 你好"}})
    );
    assert_eq!(tree("<xml/>"), json!({}));
    assert_eq!(tree("<xml>\n</xml>"), json!({}));
    assert_eq!(tree("<root><a>1</a></root>"), json!({"a": "1"}));
}

#[test]
fn malformed_documents_are_40002() {
    let deep = format!("<xml>{}{}</xml>", "<a>".repeat(200), "</a>".repeat(200));
    for doc in [
        "",
        "hello",
        "[1, 2]",
        "{\"a\": 1",
        "{\"a\": 1} trailing",
        "<xml>",
        "<xml><a>1</a>",
        "<xml><a>1</b></xml>",
        "<xml></a></xml>",
        "<xml><a>1</a></xml><xml/>",
        "<xml/>trailing text",
        "text<xml/>",
        "<xml>just text</xml>",
        "<xml><a>&unknown;</a></xml>",
        "<xml><a>&#0;</a></xml>",
        "<xml><a>&#xZZ;</a></xml>",
        "<xml><a>1 & 2</a></xml>",
        "<xml><![CDATA[x]]></xml>",
        "<xml><a><![CDATA[x</a></xml>",
        "<xml><a attr=\"1></a></xml>",
        "<",
        "<!-- only a comment -->",
        &deep,
    ] {
        let err = parse_tree(doc.as_bytes()).unwrap_err();
        assert_eq!(err.code(), -40002, "{doc:?}");
    }
    assert_eq!(parse_tree(b"<xml><a>\xff</a></xml>").unwrap_err().code(), -40002);
    // 128 levels below the root are fine.
    let ok = format!("<xml>{}{}</xml>", "<a>".repeat(127), "</a>".repeat(127));
    assert!(parse_tree(ok.as_bytes()).is_ok());
}

// ---- garbage never panics ---------------------------------------------------------------

fn mutate(rng: &mut fastrand::Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.usize(1..4) {
        if out.is_empty() {
            break;
        }
        let at = rng.usize(..out.len());
        match rng.u8(..4) {
            0 => out[at] = rng.u8(..),
            1 => {
                out.remove(at);
            }
            2 => out.insert(at, *b"<>&;/![]\"=".get(rng.usize(..10)).unwrap()),
            _ => out.truncate(at),
        }
    }
    out
}

#[test]
fn garbage_and_truncated_input_never_panics() {
    let mut rng = fastrand::Rng::with_seed(7);
    let crypto = official();
    let samples: Vec<Vec<u8>> = vec![
        official().decrypt(POST_SIGNATURE, POST_TIMESTAMP, POST_NONCE, POST_ENCRYPT).unwrap(),
        br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "v">]><xml><A a="1">&e;<![CDATA[x]]></A><B/><B>2</B></xml>"#.to_vec(),
        br#"{"encrypt":"abc","nested":{"a":[1,2,{"b":null}]},"s":"\u4e2d"}"#.to_vec(),
        format!("<xml><Encrypt><![CDATA[{POST_ENCRYPT}]]></Encrypt><AgentID>218</AgentID></xml>").into_bytes(),
    ];
    // Truncations of every sample at every byte.
    for sample in &samples {
        for cut in 0..=sample.len() {
            let _ = parse_tree(&sample[..cut]);
            let _ = Envelope::parse(&sample[..cut]);
        }
    }
    for round in 0..4000 {
        // Random bytes, sometimes led by '<' or '{' to reach the parsers.
        let mut bytes = vec![0u8; rng.usize(0..200)];
        rng.fill(&mut bytes);
        match round % 3 {
            0 => bytes.insert(0, b'<'),
            1 => bytes.insert(0, b'{'),
            _ => {}
        }
        let _ = parse_tree(&bytes);
        let _ = Envelope::parse(&bytes);
        let _ = crypto.open("x", "1", "2", &bytes);
        // Mutations of the samples.
        let mutated = mutate(&mut rng, &samples[round % samples.len()]);
        let _ = parse_tree(&mutated);
        let _ = Envelope::parse(&mutated);
        // Random ciphertexts, signed so that they reach AES, padding and the frame.
        let mut blocks = vec![0u8; 16 * rng.usize(0..8) + if round % 5 == 0 { rng.usize(1..16) } else { 0 }];
        rng.fill(&mut blocks);
        let _ = decrypt_crafted(&crypto, &STANDARD.encode(&blocks));
        // Random plaintext buffers with valid padding: they reach the frame checks.
        let mut inner = vec![0u8; rng.usize(0..80)];
        rng.fill(&mut inner);
        if round % 2 == 0 && inner.len() >= 20 {
            let claimed = rng.u32(..) % 100;
            inner[16..20].copy_from_slice(&claimed.to_be_bytes());
        }
        let _ = decrypt_crafted(&crypto, &raw_encrypt(&official_key(), &pkcs7_32(inner)));
        // Random strings where base64 is expected.
        let chars = rng.usize(0..40);
        let text = random_text(&mut rng, chars);
        let _ = decrypt_crafted(&crypto, &text);
        let _ = crypto.verify_url(&text, &text, &text, &text);
        let _ = Crypto::new(&text, &text, &text);
    }
}

// ---- replay defence -----------------------------------------------------------------------

#[test]
fn replay_guard_window_and_nonces() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};
    let now = Arc::new(AtomicI64::new(1_000_000));
    let clock = {
        let now = Arc::clone(&now);
        move || now.load(Ordering::SeqCst)
    };
    let guard = ReplayGuard::with_clock(Duration::from_secs(300), 3, clock);
    assert_eq!(guard.window(), Duration::from_secs(300));
    // Inside the window, past or future, once per nonce.
    assert!(guard.check("1000000", "a").is_ok());
    assert!(guard.check("999700", "b").is_ok());
    assert!(guard.check("1000300", "c").is_ok());
    assert_eq!(guard.len(), 3);
    assert!(matches!(
        guard.check("1000000", "a"),
        Err(ReplayError::NonceReused(_))
    ));
    assert!(matches!(
        guard.check("1000010", "b"),
        Err(ReplayError::NonceReused(_))
    ));
    // Outside it, either way.
    let err = guard.check("999699", "d").unwrap_err();
    assert_eq!(
        err,
        ReplayError::Stale {
            timestamp: 999_699,
            now: 1_000_000,
            skew: 301,
            window: 300
        }
    );
    assert!(matches!(
        guard.check("1000301", "d"),
        Err(ReplayError::Stale { .. })
    ));
    for bad in ["", "abc", "1.5", " 1000000", "99999999999999999999"] {
        assert!(
            matches!(guard.check(bad, "e"), Err(ReplayError::BadTimestamp(_))),
            "{bad:?}"
        );
    }
    // Full (capacity 3): the nonce closest to expiring ("b", timestamp 999700) goes first.
    assert!(guard.check("1000000", "d").is_ok());
    assert_eq!(guard.len(), 3);
    assert!(guard.check("1000000", "b").is_ok(), "evicted, so accepted again");
    // Time passes: "a" (expires 1000300) is forgotten once its timestamp left the window.
    now.store(1_000_301, Ordering::SeqCst);
    assert!(guard.check("1000290", "a").is_ok());
    assert!(matches!(
        guard.check("1000290", "c"),
        Err(ReplayError::NonceReused(_))
    ));
    // forget lets a retry through.
    guard.forget("c");
    assert!(guard.check("1000290", "c").is_ok());
    assert!(!guard.is_empty());
}

#[test]
fn replay_guard_on_the_system_clock() {
    let guard = ReplayGuard::new(Duration::from_secs(60), 0);
    let now = SystemClock.now();
    assert!(guard.check(&now.to_string(), "n1").is_ok());
    assert!(guard.check(&(now - 3600).to_string(), "n2").is_err());
    assert_eq!(guard.len(), 1);
}
