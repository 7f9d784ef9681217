//! Host access beyond the Pod Security Standards: which host paths are mounted, and how.

pub mod sensitive_host_path;
pub mod writable_host_path;
