//! `UNION ALL` for the connection over both databases (diesel's own `union_all` is not
//! implemented for it): rollups read with their pending deltas in one statement, and
//! pages merged from streams that each come in the list's order.

use diesel::prelude::*;

use super::{AnyBackend, AnyConnection};

/// `left UNION ALL right`. Neither side may have ORDER BY or LIMIT.
#[derive(Debug, Clone, Copy, diesel::query_builder::QueryId)]
pub struct UnionAll<L, R>(pub L, pub R);

impl<L: diesel::query_builder::Query, R> diesel::query_builder::Query for UnionAll<L, R> {
    type SqlType = L::SqlType;
}

impl<L, R> diesel::query_builder::QueryFragment<AnyBackend> for UnionAll<L, R>
where
    L: diesel::query_builder::QueryFragment<AnyBackend>,
    R: diesel::query_builder::QueryFragment<AnyBackend>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, AnyBackend>,
    ) -> QueryResult<()> {
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(" UNION ALL ");
        self.1.walk_ast(out.reborrow())
    }
}

impl<L, R> RunQueryDsl<AnyConnection> for UnionAll<L, R> {}

/// `q₁ UNION ALL q₂ …`, queries of one type (at least one); as [`UnionAll`], none may
/// have ORDER BY or LIMIT.
#[derive(Debug, Clone)]
pub struct UnionAllOf<Q>(pub Vec<Q>);

statement_wrapping!(UnionAllOf);

impl<Q> diesel::query_builder::QueryFragment<AnyBackend> for UnionAllOf<Q>
where
    Q: diesel::query_builder::QueryFragment<AnyBackend>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, AnyBackend>,
    ) -> QueryResult<()> {
        for (i, query) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_sql(" UNION ALL ");
            }
            query.walk_ast(out.reborrow())?;
        }
        Ok(())
    }
}

/// `arms ORDER BY <order_by> LIMIT limit`, where `order_by` names result columns by
/// position. When each arm comes in that order from an index, SQLite merges them
/// as they are read (its plan: `MERGE (UNION ALL)`) and stops at the page's end, so a
/// page of a few offices costs its own rows, not a page per office.
#[derive(Debug, Clone)]
pub struct FirstInOrder<Q> {
    pub arms: UnionAllOf<Q>,
    pub order_by: &'static str,
    pub limit: i64,
}

statement_wrapping!(FirstInOrder);

impl<Q> diesel::query_builder::QueryFragment<AnyBackend> for FirstInOrder<Q>
where
    Q: diesel::query_builder::QueryFragment<AnyBackend>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, AnyBackend>,
    ) -> QueryResult<()> {
        self.arms.walk_ast(out.reborrow())?;
        out.push_sql(" ORDER BY ");
        out.push_sql(self.order_by);
        out.push_sql(" LIMIT ");
        out.push_bind_param::<diesel::sql_types::BigInt, _>(&self.limit)
    }
}
