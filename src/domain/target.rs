//! Yearly targets: an office without its own inherits its nearest ancestor's; a
//! field's own target beats the general one.

use serde::{Deserialize, Serialize};

use super::ids::OfficeId;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    OnTime,
    Satisfaction,
}

impl Metric {
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::OnTime => "on_time",
            Metric::Satisfaction => "satisfaction",
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        [Metric::OnTime, Metric::Satisfaction]
            .into_iter()
            .find(|m| m.as_str() == s)
    }

    /// "over 99% of dossiers resolved on time", "satisfaction 95%".
    pub fn default_basis_points(self) -> i32 {
        match self {
            Metric::OnTime => 9900,
            Metric::Satisfaction => 9500,
        }
    }
}

/// The ids in a materialized path, nearest (the office itself) first. A path is made
/// of ids (see [`super::office::child_path`]), so every segment reads as one.
pub fn ancestors_nearest_first(path: &str) -> Vec<OfficeId> {
    path.split('/')
        .filter_map(|segment| OfficeId::parse(segment).ok())
        .rev()
        .collect()
}

/// A target set somewhere: office, field (`""` = every field), basis points.
pub struct SetTarget<'a> {
    pub office_id: &'a OfficeId,
    pub field: &'a str,
    pub basis_points: i32,
}

/// The target in force for an office (given by its ancestors, nearest first) and an
/// optional field, and the office it was set on (`None` = the national default).
pub fn resolve(
    ancestors: &[OfficeId],
    field: Option<&str>,
    set: &[SetTarget<'_>],
    metric: Metric,
) -> (i32, Option<OfficeId>) {
    let wanted: Vec<&str> = match field {
        Some(f) if !f.is_empty() => vec![f, ""],
        _ => vec![""],
    };
    for field in wanted {
        for office in ancestors {
            if let Some(t) = set
                .iter()
                .find(|t| t.office_id == office && t.field == field)
            {
                return (t.basis_points, Some(office.clone()));
            }
        }
    }
    (metric.default_basis_points(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_then_general_then_default() {
        let [p, d, c] = [(); 3].map(|_| OfficeId::new());
        let chain = ancestors_nearest_first(&format!("/{p}/{d}/{c}/"));
        assert_eq!(chain, [c.clone(), d.clone(), p.clone()]);
        let set = [
            SetTarget {
                office_id: &p,
                field: "",
                basis_points: 9700,
            },
            SetTarget {
                office_id: &p,
                field: "Đất đai",
                basis_points: 9000,
            },
            SetTarget {
                office_id: &d,
                field: "",
                basis_points: 9800,
            },
        ];
        assert_eq!(
            resolve(&chain, None, &set, Metric::OnTime),
            (9800, Some(d.clone()))
        );
        assert_eq!(
            resolve(&chain, Some("Đất đai"), &set, Metric::OnTime),
            (9000, Some(p.clone()))
        );
        assert_eq!(
            resolve(&chain, Some("Hộ tịch"), &set, Metric::OnTime),
            (9800, Some(d.clone()))
        );
        assert_eq!(
            resolve(&[OfficeId::new()], None, &set, Metric::Satisfaction),
            (9500, None)
        );
    }
}
