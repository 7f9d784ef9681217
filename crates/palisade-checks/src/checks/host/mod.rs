//! Host access beyond the Pod Security Standards: which host paths are mounted, and how.

pub mod dangerous_capabilities;
pub mod persistent_volume_host_path;
pub mod sensitive_host_path;
pub mod writable_host_path;
