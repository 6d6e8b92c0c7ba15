//! Excel answers (`format=xlsx`): a title row naming the report, the office and the
//! period, a frozen row of Vietnamese headings as in provincial report forms, counts
//! as numbers, rates as percentages and dates as dates. Text is stored as text, so an
//! applicant named `=HYPERLINK(...)` is never a formula.

use actix_web::http::header;
use actix_web::HttpResponse;
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatBorder, Workbook, XlsxError};

use crate::error::ApiError;
use crate::service::reports::{ColumnKind, Table};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An .xlsx file, as the OpenAPI document describes it: binary data.
pub struct XlsxFile;

impl utoipa::PartialSchema for XlsxFile {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl utoipa::ToSchema for XlsxFile {}

/// An .xlsx file named `filename`.
pub fn xlsx_response(filename: &str, table: &Table) -> Result<HttpResponse, ApiError> {
    let bytes = workbook(table).map_err(|e| ApiError::Internal(format!("xlsx: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type(XLSX)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(bytes))
}

fn workbook(table: &Table) -> Result<Vec<u8>, XlsxError> {
    let title = Format::new().set_bold().set_font_size(13);
    let heading = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin);
    let percent = Format::new().set_num_format("0.00%");
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let last_column = u16::try_from(table.columns.len().saturating_sub(1)).unwrap_or(0);
    if last_column > 0 {
        sheet.merge_range(0, 0, 0, last_column, &table.title, &title)?;
    } else {
        sheet.write_string_with_format(0, 0, &table.title, &title)?;
    }
    for (c, column) in (0u16..).zip(table.columns) {
        sheet.write_string_with_format(1, c, column.heading, &heading)?;
        let width = match column.kind {
            ColumnKind::Text => 24,
            ColumnKind::Date => 12,
            _ => 14,
        };
        sheet.set_column_width(c, width)?;
    }
    sheet.set_row_height(1, 45)?;
    for (r, row) in (2u32..).zip(&table.rows) {
        for ((c, cell), column) in (0u16..).zip(row).zip(table.columns) {
            if cell.is_empty() {
                continue;
            }
            let number = cell.parse::<f64>().ok();
            match (column.kind, number) {
                (ColumnKind::Count, Some(n)) => {
                    sheet.write_number(r, c, n)?;
                }
                (ColumnKind::Rate, Some(n)) => {
                    sheet.write_number_with_format(r, c, n, &percent)?;
                }
                (ColumnKind::Date, _) => match NaiveDate::parse_from_str(cell, "%Y-%m-%d") {
                    Ok(d) => {
                        let day = ExcelDateTime::from_ymd(
                            d.year() as u16,
                            d.month() as u8,
                            d.day() as u8,
                        )?;
                        sheet.write_datetime_with_format(r, c, &day, &date)?;
                    }
                    Err(_) => {
                        sheet.write_string(r, c, cell)?;
                    }
                },
                (ColumnKind::Met, _) => {
                    sheet.write_string(
                        r,
                        c,
                        if cell == "true" {
                            "Đạt"
                        } else {
                            "Không đạt"
                        },
                    )?;
                }
                _ => {
                    sheet.write_string(r, c, cell)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(2, 0)?;
    book.save_to_buffer()
}
