//! Kubernetes object model and sources.
//!
//! - [`yaml`]: YAML/JSON text → documents with the line of every field (bounded, panic-free).
//! - [`source`]: files, directories and stdin → [`Object`]s, `List` kinds expanded, errors
//!   with file and line.
//! - [`workload`]: the typed pod template of every workload kind.
//! - [`graph`]: the inventory graph (workloads → containers → images, exposure, service
//!   accounts → bindings → effective permissions).
//! - [`Inventory`]: the loaded objects, indexed, with the templates a scan should check (a
//!   template owned by another loaded workload is checked once, on its owner).

pub mod cluster;
pub mod graph;
pub mod lines;
pub mod object;
pub mod source;
pub mod workload;
pub mod yaml;

use std::collections::HashSet;

pub use cluster::{load_cluster, ClusterError, ClusterLoad, ClusterOptions, CoverageGap};
pub use lines::Lines;
pub use object::{ingress_backends, Object, RoleIndex, SourceLocation};
pub use source::{load_file, load_paths, load_str, LoadError, LoadOptions, Loaded};
pub use workload::{pod_template, ContainerKind, ContainerRef, PodTemplate, TemplateError};

/// A set of objects to assess together (one scan), with lookups across them.
#[derive(Debug, Default)]
pub struct Inventory {
    pub objects: Vec<Object>,
    keys: HashSet<(String, String, String)>,
}

impl Inventory {
    pub fn new(objects: Vec<Object>) -> Self {
        let keys = objects
            .iter()
            .map(|o| {
                (
                    o.kind.clone(),
                    o.namespace_or_default().unwrap_or("").to_owned(),
                    o.name.clone(),
                )
            })
            .collect();
        Self { objects, keys }
    }

    /// Whether an object of this kind and name exists in this namespace (`""` when cluster
    /// scoped).
    pub fn contains(&self, kind: &str, namespace: &str, name: &str) -> bool {
        self.keys
            .contains(&(kind.to_owned(), namespace.to_owned(), name.to_owned()))
    }

    /// The objects of one kind.
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Object> + 'a {
        self.objects.iter().filter(move |o| o.kind == kind)
    }

    /// Whether the object's pod template is checked on its controller instead: a ReplicaSet
    /// owned by a Deployment, a Pod owned by a ReplicaSet/Job/StatefulSet/DaemonSet, a Job
    /// owned by a CronJob — when that controller is in this inventory.
    pub fn template_owned_elsewhere(&self, object: &Object) -> bool {
        let Some((kind, name)) = object.controller() else {
            return false;
        };
        workload::is_workload_kind(kind)
            && self.contains(kind, object.namespace_or_default().unwrap_or(""), name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_templates_are_left_to_their_owner() {
        let mut out = Loaded::default();
        load_str(
            "kind: Deployment\nmetadata: {name: web, namespace: a}\n---\n\
             kind: ReplicaSet\nmetadata:\n  name: web-1\n  namespace: a\n  ownerReferences: [{kind: Deployment, name: web, controller: true}]\n---\n\
             kind: Pod\nmetadata:\n  name: web-1-x\n  namespace: a\n  ownerReferences: [{kind: ReplicaSet, name: web-1, controller: true}]\n---\n\
             kind: Pod\nmetadata:\n  name: orphan\n  namespace: a\n  ownerReferences: [{kind: ReplicaSet, name: gone, controller: true}]\n",
            "x.yaml".into(),
            &LoadOptions::default(),
            &mut out,
        );
        let inv = Inventory::new(out.objects);
        let owned: Vec<bool> = inv
            .objects
            .iter()
            .map(|o| inv.template_owned_elsewhere(o))
            .collect();
        assert_eq!(owned, [false, true, true, false]);
    }
}
