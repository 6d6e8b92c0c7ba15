//! Constant SQL text as an expression. `diesel::dsl::sql` marks every statement that
//! holds it as unsafe to cache, so PostgreSQL parses and plans it on each call; text
//! that never changes is safe to cache (the cache is keyed by the statement's text).

use std::marker::PhantomData;

use diesel::backend::Backend;
use diesel::expression::{
    is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping,
};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::SqlType;
use diesel::QueryResult;

/// `sql` of type `ST`, written into the statement as it is.
#[derive(Debug, Clone, Copy)]
pub struct ConstSql<ST> {
    sql: &'static str,
    sql_type: PhantomData<ST>,
}

pub fn const_sql<ST>(sql: &'static str) -> ConstSql<ST> {
    ConstSql {
        sql,
        sql_type: PhantomData,
    }
}

impl<ST: SqlType + diesel::expression::TypedExpressionType> Expression for ConstSql<ST> {
    type SqlType = ST;
}

impl<ST, DB: Backend> QueryFragment<DB> for ConstSql<ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(self.sql);
        Ok(())
    }
}

/// No static id: two texts of one type are different statements.
impl<ST> QueryId for ConstSql<ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST, GB> ValidGrouping<GB> for ConstSql<ST> {
    type IsAggregate = is_aggregate::Never;
}

impl<ST, QS> AppearsOnTable<QS> for ConstSql<ST> where Self: Expression {}

impl<ST, QS> SelectableExpression<QS> for ConstSql<ST> where Self: Expression {}
