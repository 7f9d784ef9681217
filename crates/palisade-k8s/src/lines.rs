//! Where each field of a document is: a tree of 1-based line numbers parallel to the value.

use std::collections::HashMap;

/// The line of a node and of its children (by field name or index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lines {
    line: u32,
    children: Children,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Children {
    None,
    Seq(Vec<Lines>),
    Map(HashMap<String, Lines>),
}

impl Lines {
    pub fn leaf(line: u32) -> Self {
        Self {
            line,
            children: Children::None,
        }
    }

    pub fn seq(line: u32, items: Vec<Lines>) -> Self {
        Self {
            line,
            children: Children::Seq(items),
        }
    }

    pub fn map(line: u32, fields: HashMap<String, Lines>) -> Self {
        Self {
            line,
            children: Children::Map(fields),
        }
    }

    /// The same subtree, reported at `line` (a field is reported at its key's line).
    pub fn with_line(mut self, line: u32) -> Self {
        self.line = line;
        self
    }

    pub fn line(&self) -> u32 {
        self.line
    }

    pub fn field(&self, name: &str) -> Option<&Lines> {
        match &self.children {
            Children::Map(fields) => fields.get(name),
            _ => None,
        }
    }

    pub fn index(&self, i: usize) -> Option<&Lines> {
        match &self.children {
            Children::Seq(items) => items.get(i),
            _ => None,
        }
    }

    /// The subtree at a JSON pointer, if every step exists.
    pub fn get(&self, pointer: &str) -> Option<&Lines> {
        let mut node = self;
        for step in pointer.split('/').skip(1) {
            let step = unescape(step);
            node = match &node.children {
                Children::Map(fields) => fields.get(step.as_ref())?,
                Children::Seq(items) => items.get(step.parse::<usize>().ok()?)?,
                Children::None => return None,
            };
        }
        Some(node)
    }

    /// The line of the deepest node on the way to a JSON pointer (`/spec/containers/0/image`):
    /// the field itself when it exists, else its nearest existing parent.
    pub fn at(&self, pointer: &str) -> u32 {
        let mut node = self;
        for step in pointer.split('/').skip(1) {
            let step = unescape(step);
            let next = match &node.children {
                Children::Map(fields) => fields.get(step.as_ref()),
                Children::Seq(items) => step.parse::<usize>().ok().and_then(|i| items.get(i)),
                Children::None => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        node.line
    }

    /// Moves every line by `delta` (for documents parsed from the middle of a file).
    pub fn shift(&mut self, delta: u32) {
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            node.line += delta;
            match &mut node.children {
                Children::None => {}
                Children::Seq(items) => stack.extend(items.iter_mut()),
                Children::Map(fields) => stack.extend(fields.values_mut()),
            }
        }
    }
}

fn unescape(step: &str) -> std::borrow::Cow<'_, str> {
    if step.contains('~') {
        step.replace("~1", "/").replace("~0", "~").into()
    } else {
        step.into()
    }
}
