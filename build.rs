//! `sql/`, `policies/` and `migrations/` are compiled into the binary
//! (include_dir!, refinery): rebuild when any of their files changes, not
//! only when Rust sources do.
fn main() {
    for dir in ["sql", "policies", "migrations"] {
        println!("cargo:rerun-if-changed={dir}");
    }
}
