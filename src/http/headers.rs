//! Security headers on every response. The SPA and the API get a strict
//! Content-Security-Policy (no inline script, no framing by anyone); Swagger
//! UI's page also gets the hash of its one inline script and nothing more.
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use sha2::{Digest, Sha256};

/// What the security headers depend on.
#[derive(Clone, Copy)]
pub struct HeaderPolicy {
    /// `Strict-Transport-Security` only when users reach us over https.
    pub hsts: bool,
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
     font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

pub async fn security_headers(State(policy): State<HeaderPolicy>, req: Request, next: Next) -> Response {
    let is_docs_page = matches!(req.uri().path(), "/api/docs" | "/api/docs/" | "/api/docs/index.html");
    let response = next.run(req).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let (mut response, csp) = if is_docs_page && is_html { with_inline_script_hashes(response).await } else { (response, CSP.to_string()) };

    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if policy.hsts {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    response
}

/// The strict policy plus `'sha256-…'` for each inline `<script>` of a small
/// HTML page (Swagger UI's index, a few hundred bytes).
async fn with_inline_script_hashes(response: Response) -> (Response, String) {
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1024 * 1024).await else {
        return (Response::from_parts(parts, Body::empty()), CSP.to_string());
    };
    let html = String::from_utf8_lossy(&bytes);
    let hashes: Vec<String> = inline_scripts(&html)
        .into_iter()
        .map(|script| format!("'sha256-{}'", STANDARD.encode(Sha256::digest(script.as_bytes()))))
        .collect();
    let csp = CSP.replacen("script-src 'self'", &format!("script-src 'self' {}", hashes.join(" ")), 1);
    (Response::from_parts(parts, Body::from(bytes)), csp)
}

/// The contents of `<script>` elements without a `src`.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(tag_end) = after.find('>') else { break };
        let tag = &after[..tag_end];
        let body = &after[tag_end + 1..];
        let Some(close) = body.find("</script>") else { break };
        if !tag.contains("src=") {
            found.push(&body[..close]);
        }
        rest = &body[close..];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::inline_scripts;

    #[test]
    fn finds_only_inline_scripts() {
        let html = "<script src=\"/a.js\" crossorigin></script>\n<script>\n  go();\n</script>";
        assert_eq!(inline_scripts(html), vec!["\n  go();\n"]);
    }
}
