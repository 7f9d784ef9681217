//! .NET dependency manifests: `*.deps.json`, written by the .NET SDK next to every built
//! application or library (`MyApp.deps.json` beside `MyApp.dll`) and read by the host to resolve
//! assemblies at start-up.
//!
//! Why it matters: a published .NET application in an image is a directory of DLLs; the
//! `deps.json` is the record of which NuGet package (and version) each came from, which the
//! GitHub/OSV NuGet advisories are matched against.
//!
//! ```json
//! { "runtimeTarget": { "name": ".NETStandard,Version=v2.0/" },
//!   "targets": { ... },
//!   "libraries": {
//!     "Python.Runtime/3.0.3": { "type": "project", "serviceable": false, "sha512": "" },
//!     "Microsoft.CSharp/4.7.0": { "type": "package", "serviceable": true,
//!                                 "sha512": "sha512-...", "path": "microsoft.csharp/4.7.0" } } }
//! ```
//!
//! Packages: every `libraries` key `Name/Version` whose `type` is `package` (NuGet packages);
//! `project` (the application itself and its project references) and `reference` entries are
//! skipped. Package ids keep the case the SDK wrote; NuGet ids are case-insensitive.
//!
//! References: <https://github.com/dotnet/sdk/blob/main/documentation/specs/runtime-configuration-file.md>,
//! Trivy `pkg/dependency/parser/dotnet/core_deps`.

use palisade_model::{Ecosystem, Package};
use serde_json::Value;

use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct DotnetDeps;

impl Cataloger for DotnetDeps {
    fn id(&self) -> &'static str {
        "dotnet-deps"
    }

    fn version(&self) -> u32 {
        2
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        let name = file.file_name();
        name.len() > ".deps.json".len() && name.ends_with(".deps.json")
    }

    fn catalog(&self, path: &str, content: &[u8]) -> Result<Found, CatalogError> {
        let content = content.strip_prefix(b"\xef\xbb\xbf").unwrap_or(content);
        let doc: Value = serde_json::from_slice(content)
            .map_err(|e| CatalogError::new(self.id(), path, format!("invalid JSON: {e}")))?;
        let Some(Value::Object(libraries)) = doc.get("libraries") else {
            return Err(CatalogError::new(self.id(), path, "no `libraries` object"));
        };
        let mut packages = Vec::new();
        for (key, lib) in libraries {
            if lib.get("type").and_then(Value::as_str) != Some("package") {
                continue;
            }
            let Some((name, version)) = key.split_once('/') else {
                continue;
            };
            let (name, version) = (name.trim(), version.trim());
            if name.is_empty() || version.is_empty() {
                continue;
            }
            packages.push(Package::new(name, version, Ecosystem::NuGet, path));
        }
        Ok(Found::packages(packages))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wants_deps_json() {
        let wants = |path| {
            DotnetDeps.wants(&FileMeta {
                path,
                size: 1,
                mode: 0o644,
            })
        };
        assert!(wants("app/MyApp.deps.json"));
        assert!(wants(
            "usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.0/Microsoft.NETCore.App.deps.json"
        ));
        assert!(!wants("app/.deps.json"));
        assert!(!wants("app/MyApp.runtimeconfig.json"));
        assert!(!wants("app/MyApp.deps.json.bak"));
    }

    #[test]
    fn real_sdk_deps_json() {
        let path = "usr/lib/python3/site-packages/pythonnet/runtime/Python.Runtime.deps.json";
        let bytes = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/dotnet-deps/Python.Runtime.deps.json"),
        )
        .unwrap();
        let found = DotnetDeps.catalog(path, &bytes).unwrap();
        let mut got: Vec<_> = found
            .packages
            .iter()
            .map(|p| format!("{}/{}", p.name, p.version))
            .collect();
        got.sort();
        let mut want = vec![
            "Lost.Compat.NullabilityAttributes/0.0.4",
            "Microsoft.Build.Tasks.Git/1.1.1",
            "Microsoft.CSharp/4.7.0",
            "Microsoft.Net.Compilers.Toolset/4.0.1",
            "Microsoft.NETCore.Platforms/1.1.0",
            "Microsoft.NETCore.Targets/1.1.0",
            "Microsoft.SourceLink.Common/1.1.1",
            "Microsoft.SourceLink.GitHub/1.1.1",
            "NETStandard.Library/2.0.3",
            "NonCopyableAnalyzer/0.7.0",
            "System.IO/4.3.0",
            "System.Reflection/4.3.0",
            "System.Reflection.Emit/4.3.0",
            "System.Reflection.Emit.ILGeneration/4.3.0",
            "System.Reflection.Primitives/4.3.0",
            "System.Runtime/4.3.0",
            "System.Text.Encoding/4.3.0",
            "System.Threading.Tasks/4.3.0",
        ];
        want.sort();
        assert_eq!(got, want);
        for p in &found.packages {
            assert_eq!(p.ecosystem, Ecosystem::NuGet);
            assert_eq!(p.locations[0].path, path);
        }
    }

    #[test]
    fn bom_odd_entries_and_garbage() {
        let doc = b"\xef\xbb\xbf{\"libraries\":{\"A/1.0\":{\"type\":\"package\"},\"App/1.0\":{\"type\":\"project\"},\"NoVersion\":{\"type\":\"package\"},\"B/\":{\"type\":\"package\"},\"C/2\":3,\"D/3\":{\"type\":\"reference\"}}}";
        let found = DotnetDeps.catalog("p", doc).unwrap();
        let got: Vec<_> = found
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(got, vec![("A", "1.0")]);
        assert!(DotnetDeps.catalog("p", b"").is_err());
        assert!(DotnetDeps.catalog("p", b"{}").is_err());
        assert!(DotnetDeps.catalog("p", b"[]").is_err());
    }
}
