//! Image sources and the layer walker.
