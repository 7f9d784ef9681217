//! Charts drawn on the server as SVG (maud markup; colours from the stylesheet's classes, no
//! inline style): a stacked bar chart over days and a horizontal bar chart.

use maud::{html, Markup};

use super::layout::sev_class;

/// One stacked bar per day (oldest left), one segment per severity (most severe at the bottom).
/// `days` are labels; `series[s][d]` the count of severity `severities[s]` on day `d`.
pub fn stacked_days(days: &[String], severities: &[&str], series: &[Vec<i64>]) -> Markup {
    const W: f64 = 640.0;
    const H: f64 = 200.0;
    const LEFT: f64 = 36.0;
    const BOTTOM: f64 = 22.0;
    const TOP: f64 = 8.0;
    let totals: Vec<i64> = (0..days.len())
        .map(|d| series.iter().map(|s| s.get(d).copied().unwrap_or(0)).sum())
        .collect();
    let max = nice_max(totals.iter().copied().max().unwrap_or(0));
    let plot_h = H - BOTTOM - TOP;
    let slot = (W - LEFT) / days.len().max(1) as f64;
    let bar = (slot * 0.7).max(1.0);
    let y = |v: i64| TOP + plot_h - plot_h * v as f64 / max as f64;
    html! {
        svg.chart viewBox={ "0 0 " (W) " " (H) } role="img"
            aria-label="Alerts per day by severity, last 30 days" {
            @for tick in [0, max / 2, max] {
                line.grid x1=(LEFT) x2=(W) y1=(y(tick)) y2=(y(tick)) {}
                text.axis x=(LEFT - 4.0) y=(y(tick) + 4.0) text-anchor="end" { (tick) }
            }
            @for (d, label) in days.iter().enumerate() {
                @let x = LEFT + slot * d as f64 + (slot - bar) / 2.0;
                g {
                    title { (label) ": " (totals[d]) }
                    @for (class, top, height) in segments(severities, series, d, &y) {
                        rect class=(class) x=(fmt(x)) y=(fmt(top)) width=(fmt(bar))
                            height=(fmt(height)) {}
                    }
                }
                @if (d % 7 == 0 && d + 4 < days.len()) || d + 1 == days.len() {
                    text.axis x=(fmt(x + bar / 2.0)) y=(H - 6.0) text-anchor="middle" {
                        (label.get(5..).unwrap_or(label))
                    }
                }
            }
        }
    }
}

/// Horizontal bars: `(label, severity class source, value)`.
pub fn bars(label: &str, rows: &[(String, String, i64)]) -> Markup {
    const W: f64 = 420.0;
    const ROW: f64 = 28.0;
    const LEFT: f64 = 90.0;
    let h = ROW * rows.len().max(1) as f64 + 4.0;
    let max = rows.iter().map(|r| r.2).max().unwrap_or(0).max(1);
    html! {
        svg.chart.bars viewBox={ "0 0 " (W) " " (h) } role="img" aria-label=(label) {
            @for (i, (name, sev, v)) in rows.iter().enumerate() {
                @let y = 4.0 + ROW * i as f64;
                @let w = (W - LEFT - 40.0) * *v as f64 / max as f64;
                text.axis x=(LEFT - 8.0) y=(y + 15.0) text-anchor="end" { (name) }
                rect class=(sev_class(sev)) x=(LEFT) y=(y) width=(fmt(w.max(1.0))) height="20" {}
                text.value x=(fmt(LEFT + w + 6.0)) y=(y + 15.0) { (v) }
            }
        }
    }
}

/// The stacked segments of day `d`: (class, top, height), most severe at the bottom.
fn segments(
    severities: &[&str],
    series: &[Vec<i64>],
    d: usize,
    y: &dyn Fn(i64) -> f64,
) -> Vec<(String, f64, f64)> {
    let mut base = 0i64;
    let mut out = Vec::new();
    for (s, sev) in severities.iter().enumerate() {
        let v = series.get(s).and_then(|r| r.get(d)).copied().unwrap_or(0);
        if v > 0 {
            out.push((sev_class(sev), y(base + v), y(base) - y(base + v)));
            base += v;
        }
    }
    out
}

fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

/// A round upper bound of the axis (at least 2 so the middle tick is whole).
fn nice_max(v: i64) -> i64 {
    if v <= 2 {
        return 2;
    }
    let mag = 10i64.pow((v as f64).log10().floor() as u32);
    [2, 4, 10]
        .into_iter()
        .map(|m| m * mag)
        .find(|m| v <= *m)
        .unwrap_or(10 * mag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_bounds_are_round_and_cover_the_data() {
        for (v, want) in [
            (0, 2),
            (2, 2),
            (3, 4),
            (7, 10),
            (11, 20),
            (150, 200),
            (999, 1000),
        ] {
            let m = nice_max(v);
            assert!(m >= v, "{v}");
            assert_eq!(m, want, "{v}");
        }
    }

    #[test]
    fn stacked_chart_draws_one_segment_per_nonzero_count() {
        let days = vec!["2026-12-01".to_string(), "2026-12-02".to_string()];
        let svg = stacked_days(&days, &["HIGH", "LOW"], &[vec![1, 0], vec![2, 3]]).into_string();
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains("sev-high") && svg.contains("sev-low"));
    }

    #[test]
    fn labels_are_escaped() {
        let svg = bars("x", &[("<script>".to_string(), "HIGH".to_string(), 3)]).into_string();
        assert!(svg.contains("&lt;script&gt;") && !svg.contains("<script>"));
    }
}
