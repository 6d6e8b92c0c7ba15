//! The office tree: province → (district) → commune, and agency codes.

use serde::{Deserialize, Serialize};

use super::ids::OfficeId;
use utoipa::ToSchema;

/// Administrative level. Districts exist only in data from before 1 July 2025
/// (Decree 118/2025), so a commune may sit directly under a province.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfficeLevel {
    Province,
    District,
    Commune,
}

impl OfficeLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            OfficeLevel::Province => "province",
            OfficeLevel::District => "district",
            OfficeLevel::Commune => "commune",
        }
    }

    pub fn parse(s: &str) -> Option<OfficeLevel> {
        match s {
            "province" => Some(OfficeLevel::Province),
            "district" => Some(OfficeLevel::District),
            "commune" => Some(OfficeLevel::Commune),
            _ => None,
        }
    }
}

/// Why an office cannot sit where it was asked to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlacementError {
    /// A province is a root; everything else needs a parent.
    ParentRequired,
    ProvinceHasNoParent,
    /// A child's level must be strictly below its parent's.
    LevelNotBelowParent {
        parent: OfficeLevel,
    },
    /// A child's level must stay strictly below the office's new level.
    LevelNotAboveChildren,
    /// The new parent is the office itself or one of its descendants.
    Cycle,
}

impl std::fmt::Display for PlacementError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlacementError::ParentRequired => {
                write!(f, "a district or commune needs a parent office")
            }
            PlacementError::ProvinceHasNoParent => write!(f, "a province has no parent office"),
            PlacementError::LevelNotBelowParent { parent } => {
                write!(
                    f,
                    "level must be below the parent's level ({})",
                    parent.as_str()
                )
            }
            PlacementError::LevelNotAboveChildren => {
                write!(
                    f,
                    "level must stay above the levels of the office's children"
                )
            }
            PlacementError::Cycle => write!(
                f,
                "an office cannot be placed under itself or its own descendant"
            ),
        }
    }
}

/// Checks that an office of `level` may sit under `parent` (its level and path) given
/// the deepest level among its current children and its own path (when it exists).
pub fn check_placement(
    level: OfficeLevel,
    parent: Option<(OfficeLevel, &str)>,
    own_path: Option<&str>,
    highest_child_level: Option<OfficeLevel>,
) -> Result<(), PlacementError> {
    match (level, parent) {
        (OfficeLevel::Province, Some(_)) => return Err(PlacementError::ProvinceHasNoParent),
        (OfficeLevel::Province, None) => {}
        (_, None) => return Err(PlacementError::ParentRequired),
        (_, Some((parent_level, parent_path))) => {
            if let Some(own) = own_path {
                if parent_path.starts_with(own) {
                    return Err(PlacementError::Cycle);
                }
            }
            if parent_level >= level {
                return Err(PlacementError::LevelNotBelowParent {
                    parent: parent_level,
                });
            }
        }
    }
    if highest_child_level.is_some_and(|child| child <= level) {
        return Err(PlacementError::LevelNotAboveChildren);
    }
    Ok(())
}

/// The id of the tree's root (the province) in a materialized path.
pub fn root_of(path: &str) -> &str {
    path.trim_start_matches('/').split('/').next().unwrap_or("")
}

/// Materialized path of an office: its parent's path followed by its own id.
pub fn child_path(parent_path: Option<&str>, id: &OfficeId) -> String {
    format!("{}{id}/", parent_path.unwrap_or("/"))
}

/// Electronic agency ID (mã định danh), e.g. `000.00.00.H56` or `H56.14`: 2 to 6
/// dot-separated groups of 1 to 5 upper-case letters or digits. It goes into dossier
/// codes, so it must never contain `-`.
pub fn validate_agency_code(code: &str) -> Result<(), String> {
    let groups: Vec<&str> = code.split('.').collect();
    let well_formed = (2..=6).contains(&groups.len())
        && groups.iter().all(|g| {
            (1..=5).contains(&g.len())
                && g.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        });
    if well_formed {
        Ok(())
    } else {
        Err(
            "expected 2-6 dot-separated groups of upper-case letters or digits, e.g. 000.00.00.H56"
                .to_owned(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OfficeLevel::*;

    #[test]
    fn agency_codes() {
        for ok in ["000.00.00.H56", "H56.14", "000.00.14.H56", "A1.B2.C3"] {
            assert!(validate_agency_code(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "H56",
            "h56.14",
            "H56-14",
            "H56..14",
            "000.00.00.H56.1.2.3",
            "ABCDEF.1",
            "H56.14 ",
        ] {
            assert!(validate_agency_code(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn placement_rules() {
        assert_eq!(check_placement(Province, None, None, None), Ok(()));
        assert_eq!(
            check_placement(Province, Some((Province, "/p/")), None, None),
            Err(PlacementError::ProvinceHasNoParent)
        );
        assert_eq!(
            check_placement(Commune, None, None, None),
            Err(PlacementError::ParentRequired)
        );
        assert_eq!(
            check_placement(Commune, Some((Province, "/p/")), None, None),
            Ok(())
        );
        assert_eq!(
            check_placement(Commune, Some((District, "/p/d/")), None, None),
            Ok(())
        );
        assert_eq!(
            check_placement(District, Some((District, "/p/d/")), None, None),
            Err(PlacementError::LevelNotBelowParent { parent: District })
        );
        assert_eq!(
            check_placement(
                District,
                Some((Province, "/p/")),
                Some("/p/d/"),
                Some(District)
            ),
            Err(PlacementError::LevelNotAboveChildren)
        );
        assert_eq!(
            check_placement(District, Some((Province, "/p/d/x/")), Some("/p/d/"), None),
            Err(PlacementError::Cycle)
        );
    }

    #[test]
    fn paths_nest() {
        let (a, b) = (OfficeId::new(), OfficeId::new());
        let root = child_path(None, &a);
        assert_eq!(root, format!("/{a}/"));
        assert_eq!(child_path(Some(&root), &b), format!("/{a}/{b}/"));
    }
}
