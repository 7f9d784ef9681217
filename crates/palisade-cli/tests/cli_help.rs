//! What a new user reads first: `palisade --help` and each command's help describe what the
//! command does for the user, never the code behind it.

use std::process::Command;

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// The subcommand names of a help page's `Commands:` section.
fn subcommands(page: &str) -> Vec<String> {
    page.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect()
}

#[test]
fn top_level_help_says_what_palisade_does() {
    let page = help(&[]);
    assert!(page.starts_with("Palisade: container security"), "{page}");
    assert!(!page.contains("wiring"), "{page}");
    assert!(subcommands(&page).len() >= 8, "{page}");
}

#[test]
fn every_command_describes_itself_to_users() {
    let top = help(&[]);
    for cmd in subcommands(&top) {
        let page = help(&[&cmd]);
        let about = page.lines().next().unwrap_or_default();
        assert!(about.len() > 15, "{cmd}: {about}");
        for word in ["wiring", "issue", "clap"] {
            assert!(!page.to_lowercase().contains(word), "{cmd}: {page}");
        }
        for sub in subcommands(&page) {
            let sub_page = help(&[&cmd, &sub]);
            let about = sub_page.lines().next().unwrap_or_default();
            assert!(about.len() > 15, "{cmd} {sub}: {about}");
        }
    }
}
