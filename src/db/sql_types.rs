//! How domain values are stored: each enum as its stable word and each id as its UUID
//! text, in TEXT columns, through one `ToSql`/`FromSql` pair per type. Reading text the
//! code does not know is an error (a logged 500), never a default: a corrupt row must
//! not pass for another status, outcome or role.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

/// Stores `$ty` as `as_str()`'s text and reads it back with `$read` (text → value).
macro_rules! stored_as_text {
    ($ty:path, $read:expr) => {
        const _: () = {
            #[derive(diesel::AsExpression, diesel::FromSqlRow)]
            #[diesel(foreign_derive)]
            #[diesel(sql_type = Text)]
            #[allow(dead_code)]
            struct Proxy($ty);
        };

        impl<DB: Backend> ToSql<Text, DB> for $ty
        where
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                <str as ToSql<Text, DB>>::to_sql(self.as_str(), out)
            }
        }

        impl<DB: Backend> FromSql<Text, DB> for $ty
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(value: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, DB>>::from_sql(value)?;
                let read: fn(&str) -> deserialize::Result<$ty> = $read;
                read(&text)
            }
        }
    };
}

/// Each enum as the word its `as_str` gives and its `parse` reads back.
macro_rules! text_enums {
    ($($ty:path),* $(,)?) => {$(
        stored_as_text!($ty, |word| {
            <$ty>::parse(word).ok_or_else(|| format!("unknown {} {word:?} stored", stringify!($ty)).into())
        });
    )*};
}

/// Each id as its canonical UUID text; text that is not a UUID is an error.
macro_rules! text_ids {
    ($($ty:path),* $(,)?) => {$(
        stored_as_text!($ty, |text| Ok(<$ty>::parse(text)?));
    )*};
}

text_enums!(
    crate::domain::lifecycle::Status,
    crate::domain::deadline::Channel,
    crate::domain::deadline::Verdict,
    crate::domain::dossier::Outcome,
    crate::domain::procedure::DeadlineUnit,
    crate::domain::procedure::OnlineLevel,
    crate::domain::account::Role,
    crate::domain::office::OfficeLevel,
    crate::domain::satisfaction::Rating,
    crate::domain::calendar::ExceptionKind,
    crate::domain::target::Metric,
    crate::domain::rollup::Grain,
    crate::domain::rollup::Dim,
    crate::domain::rollup::VoteDim,
);

text_ids!(
    crate::domain::ids::OfficeId,
    crate::domain::ids::UserId,
    crate::domain::ids::DossierId,
    crate::domain::ids::EventId,
    crate::domain::ids::ProcedureId,
    crate::domain::ids::KioskId,
    crate::domain::ids::VoteId,
);
