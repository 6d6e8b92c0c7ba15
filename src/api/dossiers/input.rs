//! Checks of what a desk types about a citizen, field by field, before anything is
//! stored.

use super::types::ApplicantInput;
use crate::api::{clean_name, clean_text};
use crate::db::dossiers::Applicant;
use crate::error::FieldError;

/// The applicant as it will be stored, each wrong field noted in `errors`.
pub fn applicant(errors: &mut Vec<FieldError>, a: &ApplicantInput) -> Applicant {
    let mut field_error = |field: &str, message: &str| {
        errors.push(FieldError {
            field: format!("applicant.{field}"),
            message: message.to_owned(),
        })
    };
    let optional = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let id_number = optional(&a.id_number);
    if id_number
        .as_deref()
        .is_some_and(|v| v.len() != 12 || !v.bytes().all(|b| b.is_ascii_digit()))
    {
        field_error("id_number", "a citizen ID has 12 digits");
    }
    let phone = optional(&a.phone);
    let phone_ok = |p: &str| {
        let rest = p.strip_prefix("+84").or_else(|| p.strip_prefix('0'));
        rest.is_some_and(|r| (9..=10).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_digit()))
    };
    if phone.as_deref().is_some_and(|p| !phone_ok(p)) {
        field_error("phone", "expected 0 or +84 followed by 9-10 digits");
    }
    let email = optional(&a.email);
    let email_ok = |e: &str| {
        e.len() <= 254
            && !e.chars().any(|c| c.is_whitespace() || c.is_control())
            && e.split_once('@').is_some_and(|(user, domain)| {
                !user.is_empty()
                    && !domain.contains('@')
                    && domain.split('.').count() >= 2
                    && domain.split('.').all(|p| !p.is_empty())
            })
    };
    if email.as_deref().is_some_and(|e| !email_ok(e)) {
        field_error("email", "not an e-mail address");
    }
    let address = optional(&a.address).map(|v| clean_text(errors, "applicant.address", &v, 500));
    let name = clean_name(errors, "applicant.name", &a.name);
    Applicant {
        name,
        id_number,
        phone,
        email,
        address,
    }
}
