//! MITRE ATT&CK techniques of the Containers platform (ATT&CK v18.1 Enterprise: id, name,
//! tactics), so that rule tags can be checked and alerts can name what they map to.

/// (technique id, name, tactics).
pub const CONTAINER_TECHNIQUES: &[(&str, &str, &[&str])] = &[
    ("T1036", "Masquerading", &["Defense Evasion"]),
    (
        "T1036.005",
        "Match Legitimate Resource Name or Location",
        &["Defense Evasion"],
    ),
    ("T1036.010", "Masquerade Account Name", &["Defense Evasion"]),
    ("T1046", "Network Service Discovery", &["Discovery"]),
    (
        "T1053",
        "Scheduled Task/Job",
        &["Execution", "Persistence", "Privilege Escalation"],
    ),
    (
        "T1053.007",
        "Container Orchestration Job",
        &["Execution", "Persistence", "Privilege Escalation"],
    ),
    ("T1059.013", "Container CLI/API", &["Execution"]),
    (
        "T1068",
        "Exploitation for Privilege Escalation",
        &["Privilege Escalation"],
    ),
    ("T1069", "Permission Groups Discovery", &["Discovery"]),
    ("T1070", "Indicator Removal", &["Defense Evasion"]),
    (
        "T1078",
        "Valid Accounts",
        &[
            "Defense Evasion",
            "Persistence",
            "Privilege Escalation",
            "Initial Access",
        ],
    ),
    (
        "T1078.001",
        "Default Accounts",
        &[
            "Defense Evasion",
            "Persistence",
            "Privilege Escalation",
            "Initial Access",
        ],
    ),
    (
        "T1078.003",
        "Local Accounts",
        &[
            "Defense Evasion",
            "Persistence",
            "Privilege Escalation",
            "Initial Access",
        ],
    ),
    (
        "T1098",
        "Account Manipulation",
        &["Persistence", "Privilege Escalation"],
    ),
    (
        "T1098.006",
        "Additional Container Cluster Roles",
        &["Persistence", "Privilege Escalation"],
    ),
    ("T1110", "Brute Force", &["Credential Access"]),
    ("T1110.001", "Password Guessing", &["Credential Access"]),
    ("T1110.003", "Password Spraying", &["Credential Access"]),
    ("T1110.004", "Credential Stuffing", &["Credential Access"]),
    (
        "T1133",
        "External Remote Services",
        &["Persistence", "Initial Access"],
    ),
    ("T1136", "Create Account", &["Persistence"]),
    ("T1136.001", "Local Account", &["Persistence"]),
    (
        "T1190",
        "Exploit Public-Facing Application",
        &["Initial Access"],
    ),
    ("T1204", "User Execution", &["Execution"]),
    ("T1204.003", "Malicious Image", &["Execution"]),
    ("T1485", "Data Destruction", &["Impact"]),
    ("T1490", "Inhibit System Recovery", &["Impact"]),
    ("T1496", "Resource Hijacking", &["Impact"]),
    ("T1496.001", "Compute Hijacking", &["Impact"]),
    ("T1496.002", "Bandwidth Hijacking", &["Impact"]),
    ("T1498", "Network Denial of Service", &["Impact"]),
    ("T1499", "Endpoint Denial of Service", &["Impact"]),
    ("T1525", "Implant Internal Image", &["Persistence"]),
    (
        "T1528",
        "Steal Application Access Token",
        &["Credential Access"],
    ),
    (
        "T1543",
        "Create or Modify System Process",
        &["Persistence", "Privilege Escalation"],
    ),
    (
        "T1543.005",
        "Container Service",
        &["Persistence", "Privilege Escalation"],
    ),
    (
        "T1550",
        "Use Alternate Authentication Material",
        &["Defense Evasion", "Lateral Movement"],
    ),
    (
        "T1550.001",
        "Application Access Token",
        &["Defense Evasion", "Lateral Movement"],
    ),
    ("T1552", "Unsecured Credentials", &["Credential Access"]),
    ("T1552.001", "Credentials In Files", &["Credential Access"]),
    ("T1552.007", "Container API", &["Credential Access"]),
    ("T1562", "Impair Defenses", &["Defense Evasion"]),
    ("T1562.001", "Disable or Modify Tools", &["Defense Evasion"]),
    ("T1609", "Container Administration Command", &["Execution"]),
    (
        "T1610",
        "Deploy Container",
        &["Defense Evasion", "Execution"],
    ),
    ("T1611", "Escape to Host", &["Privilege Escalation"]),
    ("T1612", "Build Image on Host", &["Defense Evasion"]),
    ("T1613", "Container and Resource Discovery", &["Discovery"]),
];

/// The name and tactics of a technique of the Containers matrix.
pub fn technique(id: &str) -> Option<(&'static str, &'static [&'static str])> {
    CONTAINER_TECHNIQUES
        .iter()
        .find(|(t, _, _)| *t == id)
        .map(|(_, name, tactics)| (*name, *tactics))
}

/// `mitre_privilege_escalation` → `Privilege Escalation`.
pub fn tactic_from_tag(tag: &str) -> String {
    tag.split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
