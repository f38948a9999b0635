//! Authentication over HTTP.
