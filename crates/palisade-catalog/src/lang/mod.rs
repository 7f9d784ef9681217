//! Language package catalogers.

pub mod composer;
pub mod dotnet_deps;
pub mod go_binary;
pub mod java;
pub mod npm_lock;
pub mod npm_package;
pub mod python;
pub mod ruby_gemspec;
pub mod rust_audit;
