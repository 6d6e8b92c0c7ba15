//! Spreadsheets: CSV answers (UTF-8 with a BOM so that Excel shows Vietnamese), asked
//! for with `format=csv` or `Accept: text/csv`, and Excel files ([`super::xlsx`]) with
//! `format=xlsx` or its media type in `Accept`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::xlsx::{xlsx_response, XLSX};
use crate::error::ApiResult;
use crate::service::reports::{Report, Table};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Json,
    Csv,
    Xlsx,
}

/// The first row of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Headings {
    /// Vietnamese, as in provincial report forms.
    #[default]
    Vi,
    /// The machine names of the JSON answer, for scripts.
    Keys,
}

/// The format asked for: the query's `format`, else what `Accept` names.
pub fn wanted(req: &HttpRequest, format: Option<Format>) -> Format {
    format.unwrap_or_else(|| {
        let accept = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if accept.contains(XLSX) {
            Format::Xlsx
        } else if accept.contains("text/csv") {
            Format::Csv
        } else {
            Format::Json
        }
    })
}

/// Whether the client asked for a spreadsheet (CSV or Excel) rather than JSON.
pub fn wants_spreadsheet(req: &HttpRequest, format: Option<Format>) -> bool {
    wanted(req, format) != Format::Json
}

/// A report as the client asked for it: JSON, or a spreadsheet named `name` and the
/// format's extension.
pub fn report_answer(
    req: &HttpRequest,
    format: Option<Format>,
    headings: Option<Headings>,
    name: &str,
    report: impl Report,
) -> ApiResult<HttpResponse> {
    Ok(match wanted(req, format) {
        Format::Json => HttpResponse::Ok().json(report),
        Format::Csv => csv_response(
            &format!("{name}.csv"),
            report.table(),
            headings.unwrap_or_default(),
        ),
        Format::Xlsx => xlsx_response(&format!("{name}.xlsx"), &report.table())?,
    })
}

/// A CSV file: UTF-8 with a BOM, fields quoted when needed, text that a spreadsheet
/// would run as a formula neutralised ([`inert_cell`]).
pub fn csv_response(filename: &str, table: Table, headings: Headings) -> HttpResponse {
    let quote = |field: &str| {
        let field = inert_cell(field);
        if field.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", field.replace('"', "\"\""))
        } else {
            field.into_owned()
        }
    };
    let mut out = String::from("\u{feff}");
    let first: Vec<&str> = table
        .columns
        .iter()
        .map(|c| match headings {
            Headings::Vi => c.heading,
            Headings::Keys => c.key,
        })
        .collect();
    out.push_str(&first.join(","));
    out.push_str("\r\n");
    for r in table.rows {
        out.push_str(&r.iter().map(|f| quote(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(out)
}

/// A cell a spreadsheet shows as text: one starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return would run as a formula (an applicant named `=HYPERLINK(...)`), so it
/// gets a leading `'` (OWASP, CSV injection). Plain numbers, negative ones included,
/// stay numbers.
pub fn inert_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

#[cfg(test)]
mod tests {
    use super::inert_cell;

    #[test]
    fn formulas_become_text_and_numbers_stay() {
        for formula in [
            "=HYPERLINK(\"http://evil.example/\",\"x\")",
            "+cmd|' /C calc'!A0",
            "@SUM(A1:A9)",
            "-2+3",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(inert_cell(formula), format!("'{formula}"));
        }
        for plain in ["Nguyễn Văn A", "-3", "0.9971", "", "1.000948 Đăng ký"] {
            assert_eq!(inert_cell(plain), plain);
        }
    }
}
