//! IP networks in conditions (Falco's `fd.net`/`fd.snet` style): a list value written as a
//! CIDR (`169.254.169.254/32`, `fd00:ec2::254/128`, `10.0.0.0/8`) matches any address, or any
//! narrower network, inside it. Values of the event are read as an address (IPv4, IPv6,
//! IPv4-mapped IPv6 as IPv4, `[v6]`) or as a CIDR; anything else matches no network.

use std::net::IpAddr;

/// One network: the address as 128 bits (IPv4 in the low 32) and its prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Net {
    v4: bool,
    bits: u128,
    prefix: u8,
}

fn addr(text: &str) -> Option<(bool, u128)> {
    let t = text.trim();
    let t = t
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(t);
    match t.parse::<IpAddr>().ok()? {
        IpAddr::V4(a) => Some((true, u32::from(a) as u128)),
        IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(v4) => Some((true, u32::from(v4) as u128)),
            None => Some((false, u128::from(a))),
        },
    }
}

fn mask(v4: bool, prefix: u8) -> u128 {
    let width = if v4 { 32 } else { 128 };
    if prefix == 0 {
        return 0;
    }
    let ones = u128::MAX << (width - u32::from(prefix));
    if v4 {
        ones & 0xffff_ffff
    } else {
        ones
    }
}

impl Net {
    /// A CIDR (`a.b.c.d/n`, `v6/n`); host bits are cleared. `None` for anything else.
    pub fn parse_cidr(text: &str) -> Option<Net> {
        let (a, p) = text.trim().split_once('/')?;
        let (v4, bits) = addr(a)?;
        let prefix: u8 = p.parse().ok()?;
        // An IPv4-mapped IPv6 network is written with a v6 prefix length.
        let prefix = if v4 && a.contains(':') {
            prefix.checked_sub(96)?
        } else {
            prefix
        };
        if prefix > if v4 { 32 } else { 128 } {
            return None;
        }
        Some(Net {
            v4,
            bits: bits & mask(v4, prefix),
            prefix,
        })
    }

    /// An event value as a network: an address is a /32 (/128), a CIDR itself.
    pub fn parse_value(text: &str) -> Option<Net> {
        if text.contains('/') {
            return Net::parse_cidr(text);
        }
        let (v4, bits) = addr(text)?;
        Some(Net {
            v4,
            bits,
            prefix: if v4 { 32 } else { 128 },
        })
    }

    /// Whether `inner` (an address or a network) lies inside this network.
    pub fn contains(&self, inner: &Net) -> bool {
        self.v4 == inner.v4
            && inner.prefix >= self.prefix
            && inner.bits & mask(self.v4, self.prefix) == self.bits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inside(net: &str, v: &str) -> bool {
        Net::parse_cidr(net)
            .unwrap()
            .contains(&Net::parse_value(v).unwrap())
    }

    #[test]
    fn containment() {
        assert!(inside("169.254.169.254/32", "169.254.169.254"));
        assert!(!inside("169.254.169.254/32", "169.254.169.253"));
        assert!(inside("10.0.0.0/8", "10.200.3.4"));
        assert!(inside("10.0.0.0/8", "10.1.0.0/16"));
        assert!(!inside("10.0.0.0/16", "10.0.0.0/8"));
        assert!(inside("fd00:ec2::254/128", "fd00:ec2::254"));
        assert!(inside("fd00:ec2::254/128", "[fd00:ec2::254]"));
        assert!(!inside("fd00:ec2::254/128", "fd00:ec2::253"));
        assert!(inside("169.254.0.0/16", "::ffff:169.254.169.254"));
        assert!(inside("0.0.0.0/0", "8.8.8.8"));
        assert!(!inside("0.0.0.0/0", "::1"));
        assert!(inside("::/0", "2001:db8::1"));
        assert!(
            inside("192.168.1.7/24", "192.168.1.200"),
            "host bits cleared"
        );
        assert!(inside("::ffff:10.0.0.0/104", "10.9.9.9"));
    }

    #[test]
    fn refuses_what_is_not_a_network() {
        for t in [
            "10.0.0.0/33",
            "::/129",
            "/etc/passwd",
            "10.0.0/8",
            "a/b",
            "10.0.0.0/-1",
            "10.0.0.0/",
        ] {
            assert!(Net::parse_cidr(t).is_none(), "{t}");
        }
        assert!(Net::parse_value("nginx").is_none());
        assert!(Net::parse_value("10.0.0.1:80").is_none());
    }
}
