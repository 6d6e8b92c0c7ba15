//! Build script: `embed_migrations!` reads `migrations/` while compiling, which cargo
//! does not see, so a new migration would otherwise leave a stale binary behind (it
//! did: a benchmark ran without one).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
