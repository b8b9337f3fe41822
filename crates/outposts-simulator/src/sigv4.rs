//! AWS Signature Version 4 verification for `Authorization: AWS4-HMAC-SHA256 …`
//! requests, following the published SigV4 steps the way AWS services apply them
//! to every service except S3:
//!
//! - canonical URI: the path as sent, dot segments removed, then percent-encoded
//!   once more (AWS SDKs sign the already-encoded path, so an ARN label's `%3A`
//!   is signed as `%253A`);
//! - canonical query: pairs decoded, re-encoded (RFC 3986 unreserved characters
//!   stay), sorted by key then value;
//! - canonical headers: the `SignedHeaders`, lower-cased, values trimmed with inner
//!   runs of spaces collapsed, repeated headers joined by `,`;
//! - payload hash: `x-amz-content-sha256` when present, else SHA-256 of the body.
//!
//! Presigned URLs (signature in the query) and clock-skew checks are not modelled:
//! the simulator's clock can be moved by tests.

use axum::http::HeaderMap;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The signing name of the Outposts API.
pub const SERVICE: &str = "outposts";

/// Everything but RFC 3986 unreserved characters is encoded.
const QUERY_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// As [`QUERY_SET`], but `/` separates path segments.
const PATH_SET: &AsciiSet = &QUERY_SET.remove(b'/');

/// The one key pair the simulator accepts when it is started with credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl Credentials {
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
        }
    }

    /// Parses `ACCESS_KEY:SECRET` (the secret may itself contain `:`).
    pub fn parse(text: &str) -> Option<Self> {
        let (key, secret) = text.split_once(':')?;
        (!key.is_empty() && !secret.is_empty()).then(|| Self::new(key, secret))
    }
}

/// Why a request was refused; each is a 403 with AWS's error name for the case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("Missing Authentication Token")]
    Missing,
    #[error("{0}")]
    Incomplete(String),
    #[error("The security token included in the request is invalid.")]
    UnknownAccessKey,
    #[error(
        "The request signature we calculated does not match the signature you provided. \
         Check your AWS Secret Access Key and signing method."
    )]
    SignatureMismatch,
}

impl AuthError {
    /// The `X-Amzn-ErrorType` AWS uses for the case.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Missing => "MissingAuthenticationTokenException",
            AuthError::Incomplete(_) => "IncompleteSignatureException",
            AuthError::UnknownAccessKey => "UnrecognizedClientException",
            AuthError::SignatureMismatch => "InvalidSignatureException",
        }
    }
}

/// The parts of a received request that the signature covers.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    pub method: &'a str,
    /// The path exactly as received (still percent-encoded).
    pub path: &'a str,
    /// The query exactly as received, without `?`.
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// The `Authorization` header's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

impl Authorization {
    pub fn parse(value: &str) -> Result<Self, AuthError> {
        let incomplete = |what: &str| AuthError::Incomplete(format!("Authorization header {what}"));
        let rest = value
            .strip_prefix(ALGORITHM)
            .and_then(|r| r.strip_prefix(' '))
            .ok_or_else(|| incomplete("must start with AWS4-HMAC-SHA256"))?;
        let (mut credential, mut signed, mut signature) = (None, None, None);
        for part in rest.split(',') {
            let Some((key, val)) = part.trim().split_once('=') else {
                return Err(incomplete(&format!(
                    "has a malformed element {:?}",
                    part.trim()
                )));
            };
            match key {
                "Credential" => credential = Some(val),
                "SignedHeaders" => signed = Some(val),
                "Signature" => signature = Some(val),
                _ => {}
            }
        }
        let credential = credential.ok_or_else(|| incomplete("requires a Credential"))?;
        let signed = signed.ok_or_else(|| incomplete("requires SignedHeaders"))?;
        let signature = signature.ok_or_else(|| incomplete("requires a Signature"))?;
        let scope: Vec<&str> = credential.split('/').collect();
        let [key, date, region, service, "aws4_request"] = scope.as_slice() else {
            return Err(incomplete(
                "Credential must be ACCESS_KEY/YYYYMMDD/REGION/SERVICE/aws4_request",
            ));
        };
        if key.is_empty()
            || region.is_empty()
            || date.len() != 8
            || !date.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(incomplete("Credential has an empty or malformed scope"));
        }
        if signed.is_empty()
            || signature.len() != 64
            || !signature.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(incomplete("has malformed SignedHeaders or Signature"));
        }
        Ok(Self {
            access_key_id: (*key).to_string(),
            date: (*date).to_string(),
            region: (*region).to_string(),
            service: (*service).to_string(),
            signed_headers: signed.split(';').map(str::to_string).collect(),
            signature: signature.to_ascii_lowercase(),
        })
    }

    fn scope(&self) -> String {
        format!(
            "{}/{}/{}/aws4_request",
            self.date, self.region, self.service
        )
    }
}

/// Checks a request's signature. Without `credentials` any key is accepted but the
/// header must still be a well-formed SigV4 Authorization for this service.
pub fn verify(
    request: &SignedRequest<'_>,
    credentials: Option<&Credentials>,
) -> Result<(), AuthError> {
    authenticate(request, credentials).map(|_| ())
}

/// As [`verify`], and returns the checked Authorization: its `access_key_id` is who
/// called (the simulator's notion of an account, see [`crate::rate_limit`]).
pub fn authenticate(
    request: &SignedRequest<'_>,
    credentials: Option<&Credentials>,
) -> Result<Authorization, AuthError> {
    let Some(header) = request.headers.get("authorization") else {
        return Err(AuthError::Missing);
    };
    let header = header
        .to_str()
        .map_err(|_| AuthError::Incomplete("Authorization header is not ASCII".into()))?;
    let auth = Authorization::parse(header)?;
    if auth.service != SERVICE {
        return Err(AuthError::Incomplete(format!(
            "Credential should be scoped to correct service: '{SERVICE}'."
        )));
    }
    let amz_date = header_value(request.headers, "x-amz-date")
        .ok_or_else(|| AuthError::Incomplete("Missing X-Amz-Date header".into()))?;
    if amz_date.len() != 16 || !amz_date.starts_with(&auth.date) {
        return Err(AuthError::Incomplete(
            "X-Amz-Date must be YYYYMMDDTHHMMSSZ on the Credential's date".into(),
        ));
    }
    let Some(credentials) = credentials else {
        return Ok(auth);
    };
    if auth.access_key_id != credentials.access_key_id {
        return Err(AuthError::UnknownAccessKey);
    }
    let canonical = canonical_request(request, &auth.signed_headers)?;
    let expected = signature(
        &credentials.secret_access_key,
        &auth,
        &string_to_sign(&amz_date, &auth.scope(), &canonical),
    );
    if constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
        Ok(auth)
    } else {
        Err(AuthError::SignatureMismatch)
    }
}

fn header_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)?
        .to_str()
        .ok()
        .map(|v| v.trim().to_string())
}

/// The canonical request for the given signed headers.
pub fn canonical_request(
    request: &SignedRequest<'_>,
    signed_headers: &[String],
) -> Result<String, AuthError> {
    let mut out = String::new();
    out.push_str(request.method);
    out.push('\n');
    out.push_str(&canonical_uri(request.path));
    out.push('\n');
    out.push_str(&canonical_query(request.query));
    out.push('\n');
    for name in signed_headers {
        let values: Result<Vec<String>, AuthError> = request
            .headers
            .get_all(name.as_str())
            .iter()
            .map(|v| {
                v.to_str()
                    .map(collapse_spaces)
                    .map_err(|_| AuthError::Incomplete(format!("header {name} is not ASCII")))
            })
            .collect();
        let values = values?;
        if values.is_empty() {
            // A signed header that did not arrive cannot match any signature.
            return Err(AuthError::SignatureMismatch);
        }
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&signed_headers.join(";"));
    out.push('\n');
    match header_value(request.headers, "x-amz-content-sha256") {
        Some(hash) => out.push_str(&hash),
        None => out.push_str(&hex::encode(Sha256::digest(request.body))),
    }
    Ok(out)
}

fn collapse_spaces(value: &str) -> String {
    value
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The received path with dot segments removed, percent-encoded once more.
pub fn canonical_uri(path: &str) -> String {
    let path = if path.is_empty() { "/" } else { path };
    let normalized = if path.contains('.') || path.contains("//") {
        let mut segments: Vec<&str> = Vec::new();
        for segment in path.split('/') {
            match segment {
                "" | "." => {}
                ".." => {
                    segments.pop();
                }
                other => segments.push(other),
            }
        }
        let mut result = format!("/{}", segments.join("/"));
        let ends_with_slash = ["/", "/.", "/./", "/..", "/../"]
            .iter()
            .any(|s| path.ends_with(s));
        if ends_with_slash && !result.ends_with('/') {
            result.push('/');
        }
        result
    } else {
        path.to_string()
    };
    utf8_percent_encode(&normalized, PATH_SET).to_string()
}

/// The received query, decoded, re-encoded and sorted.
pub fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (encode_query_part(k), encode_query_part(v))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode_query_part(raw: &str) -> String {
    let spaced = raw.replace('+', " ");
    let decoded = percent_decode_str(&spaced).decode_utf8_lossy();
    utf8_percent_encode(&decoded, QUERY_SET).to_string()
}

pub fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    )
}

/// The hex signature of `string_to_sign` under the key derived for the scope, with the
/// AWS SDK's own key derivation and HMAC (aws-sigv4).
pub fn signature(secret: &str, auth: &Authorization, string_to_sign: &str) -> String {
    // The derivation uses only the scope's date; any instant of that day gives it.
    let day = time::Date::parse(
        &auth.date,
        time::macros::format_description!("[year][month][day]"),
    )
    .map(|d| std::time::SystemTime::from(d.midnight().assume_utc()))
    .unwrap_or(std::time::UNIX_EPOCH);
    let key = aws_sigv4::sign::v4::generate_signing_key(secret, day, &auth.region, &auth.service);
    aws_sigv4::sign::v4::calculate_signature(key, string_to_sign.as_bytes())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    // The request and answers below are cases of AWS's published SigV4 test suite
    // (credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
    // 20150830T123600Z, us-east-1, service "service").
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const AMZ_DATE: &str = "20150830T123600Z";

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn suite_auth(signed: &str) -> Authorization {
        Authorization {
            access_key_id: "AKIDEXAMPLE".into(),
            date: "20150830".into(),
            region: "us-east-1".into(),
            service: "service".into(),
            signed_headers: signed.split(';').map(str::to_string).collect(),
            signature: String::new(),
        }
    }

    fn sign(request: &SignedRequest<'_>, auth: &Authorization) -> (String, String) {
        let canonical = canonical_request(request, &auth.signed_headers).expect("canonical");
        let sts = string_to_sign(AMZ_DATE, &auth.scope(), &canonical);
        (canonical, signature(SECRET, auth, &sts))
    }

    /// Signs the test suite's GET of `/` on example.amazonaws.com with `query`.
    fn sign_suite_get(query: &str) -> (String, String) {
        let h = headers(&[("host", "example.amazonaws.com"), ("x-amz-date", AMZ_DATE)]);
        let request = SignedRequest {
            method: "GET",
            path: "/",
            query,
            headers: &h,
            body: b"",
        };
        sign(&request, &suite_auth("host;x-amz-date"))
    }

    #[test]
    fn get_vanilla_matches_the_aws_test_suite() {
        let (canonical, sig) = sign_suite_get("");
        assert_eq!(
            canonical,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sig,
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    #[test]
    fn query_order_matches_the_aws_test_suite() {
        let (_, sig) = sign_suite_get("Param2=value2&Param1=value1");
        assert_eq!(
            sig,
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        );
    }

    #[test]
    fn header_value_trim_matches_the_aws_test_suite() {
        let h = headers(&[
            ("host", "example.amazonaws.com"),
            ("my-header1", " value1"),
            ("my-header2", " \"a   b   c\""),
            ("x-amz-date", AMZ_DATE),
        ]);
        let request = SignedRequest {
            method: "GET",
            path: "/",
            query: "",
            headers: &h,
            body: b"",
        };
        let (_, sig) = sign(
            &request,
            &suite_auth("host;my-header1;my-header2;x-amz-date"),
        );
        assert_eq!(
            sig,
            "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"
        );
    }

    #[test]
    fn signed_body_hash_matches_the_aws_test_suite() {
        let h = headers(&[
            ("content-length", "13"),
            ("content-type", "application/x-www-form-urlencoded"),
            ("host", "example.amazonaws.com"),
            (
                "x-amz-content-sha256",
                "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            ),
            ("x-amz-date", AMZ_DATE),
        ]);
        let request = SignedRequest {
            method: "POST",
            path: "/",
            query: "",
            headers: &h,
            body: b"Param1=value1",
        };
        let (_, sig) = sign(
            &request,
            &suite_auth("content-length;content-type;host;x-amz-content-sha256;x-amz-date"),
        );
        assert_eq!(
            sig,
            "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"
        );
        assert_eq!(
            hex::encode(Sha256::digest(b"Param1=value1")),
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
        );
    }

    #[test]
    fn encoded_path_is_encoded_again_like_the_double_encode_case() {
        assert_eq!(
            canonical_uri("/test/@connections/JBDvjfGEIAMCERw%3D"),
            "/test/%40connections/JBDvjfGEIAMCERw%253D"
        );
        assert_eq!(
            canonical_uri(
                "/outposts/arn%3Aaws%3Aoutposts%3Aus-west-2%3A111122223333%3Aoutpost%2Fop-0123456789abcdef0"
            ),
            "/outposts/arn%253Aaws%253Aoutposts%253Aus-west-2%253A111122223333%253Aoutpost%252Fop-0123456789abcdef0"
        );
        assert_eq!(canonical_uri("/a/./b/../c//"), "/a/c/");
        assert_eq!(canonical_uri(""), "/");
    }

    #[test]
    fn canonical_query_decodes_then_encodes_and_sorts() {
        assert_eq!(
            canonical_query("b=2&a=x%20y&CapacityTaskStatusFilter=REQUESTED&a=1&c"),
            "CapacityTaskStatusFilter=REQUESTED&a=1&a=x%20y&b=2&c="
        );
        assert_eq!(
            canonical_query("NextToken=5%23%23abc"),
            "NextToken=5%23%23abc"
        );
    }

    fn outposts_request(h: &HeaderMap) -> SignedRequest<'_> {
        SignedRequest {
            method: "GET",
            path: "/outposts",
            query: "MaxResults=5",
            headers: h,
            body: b"",
        }
    }

    fn signed_headers_for(key: &str, secret: &str) -> HeaderMap {
        let mut h = headers(&[("host", "127.0.0.1:9"), ("x-amz-date", "20260101T000000Z")]);
        let auth = Authorization {
            access_key_id: key.into(),
            date: "20260101".into(),
            region: "us-west-2".into(),
            service: SERVICE.into(),
            signed_headers: vec!["host".into(), "x-amz-date".into()],
            signature: String::new(),
        };
        let canonical =
            canonical_request(&outposts_request(&h), &auth.signed_headers).expect("canonical");
        let sig = signature(
            secret,
            &auth,
            &string_to_sign("20260101T000000Z", &auth.scope(), &canonical),
        );
        let value = format!(
            "AWS4-HMAC-SHA256 Credential={key}/20260101/us-west-2/outposts/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature={sig}"
        );
        h.insert(
            "authorization",
            HeaderValue::from_str(&value).expect("ascii"),
        );
        h
    }

    #[test]
    fn correct_signature_verifies_and_wrong_secret_does_not() {
        let creds = Credentials::new("AKIDSIM", "right-secret");
        let good = signed_headers_for("AKIDSIM", "right-secret");
        assert_eq!(verify(&outposts_request(&good), Some(&creds)), Ok(()));
        let bad = signed_headers_for("AKIDSIM", "wrong-secret");
        assert_eq!(
            verify(&outposts_request(&bad), Some(&creds)),
            Err(AuthError::SignatureMismatch)
        );
        let other = signed_headers_for("AKIDOTHER", "right-secret");
        assert_eq!(
            verify(&outposts_request(&other), Some(&creds)),
            Err(AuthError::UnknownAccessKey)
        );
    }

    #[test]
    fn without_credentials_any_key_is_accepted_but_a_signature_is_required() {
        let any = signed_headers_for("ANYKEY", "any-secret");
        assert_eq!(verify(&outposts_request(&any), None), Ok(()));
        let none = headers(&[("host", "127.0.0.1:9")]);
        assert_eq!(
            verify(&outposts_request(&none), None),
            Err(AuthError::Missing)
        );
        let mut garbage = none.clone();
        garbage.insert("authorization", HeaderValue::from_static("Bearer abc"));
        let err = verify(&outposts_request(&garbage), None).expect_err("refused");
        assert_eq!(err.code(), "IncompleteSignatureException");
    }

    #[test]
    fn authorization_header_fields_are_parsed() {
        let auth = Authorization::parse(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        )
        .expect("parses");
        assert_eq!(auth.access_key_id, "AKIDEXAMPLE");
        assert_eq!(auth.region, "us-east-1");
        assert_eq!(auth.signed_headers, ["host", "x-amz-date"]);
        assert!(Authorization::parse("AWS4-HMAC-SHA256 Credential=a/b").is_err());
    }

    #[test]
    fn credentials_parse_from_key_colon_secret() {
        assert_eq!(
            Credentials::parse("AK:se:cret"),
            Some(Credentials::new("AK", "se:cret"))
        );
        assert_eq!(Credentials::parse("AK"), None);
        assert_eq!(Credentials::parse(":secret"), None);
    }
}
