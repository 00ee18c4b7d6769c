//! A Casbin adapter over the `casbin_rule` entity. The published sea-orm
//! adapter pins an older sea-orm; this small one keeps a single ORM in the build.

use async_trait::async_trait;
use casbin::{Adapter, Filter, Model, error::AdapterError};
use entities::casbin_rule::{self, ActiveModel, Column, Entity};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    TransactionTrait,
};

/// Policy rows stored in the database.
#[derive(Clone)]
pub struct DbAdapter {
    db: DatabaseConnection,
}

impl DbAdapter {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

const FIELDS: [Column; 6] = [
    Column::V0,
    Column::V1,
    Column::V2,
    Column::V3,
    Column::V4,
    Column::V5,
];

fn adapter_error(e: sea_orm::DbErr) -> casbin::Error {
    casbin::Error::AdapterError(AdapterError(Box::new(e)))
}

fn row(ptype: &str, rule: &[String]) -> ActiveModel {
    let field = |i: usize| Set(rule.get(i).cloned().unwrap_or_default());
    ActiveModel {
        ptype: Set(ptype.to_owned()),
        v0: field(0),
        v1: field(1),
        v2: field(2),
        v3: field(3),
        v4: field(4),
        v5: field(5),
        ..Default::default()
    }
}

/// The condition matching one stored rule exactly.
fn matching(ptype: &str, rule: &[String]) -> Condition {
    FIELDS.iter().enumerate().fold(
        Condition::all().add(Column::Ptype.eq(ptype)),
        |cond, (i, column)| cond.add(column.eq(rule.get(i).cloned().unwrap_or_default())),
    )
}

/// A stored row as Casbin's rule: the fields up to the last non-empty one.
fn rule_of(model: &casbin_rule::Model) -> Vec<String> {
    let mut fields = vec![
        model.v0.clone(),
        model.v1.clone(),
        model.v2.clone(),
        model.v3.clone(),
        model.v4.clone(),
        model.v5.clone(),
    ];
    while fields.last().is_some_and(String::is_empty) {
        fields.pop();
    }
    fields
}

#[async_trait]
impl Adapter for DbAdapter {
    async fn load_policy(&mut self, m: &mut dyn Model) -> casbin::Result<()> {
        let rows = Entity::find().all(&self.db).await.map_err(adapter_error)?;
        for stored in rows {
            let Some(sec) = stored.ptype.get(..1) else {
                continue;
            };
            m.add_policy(sec, &stored.ptype, rule_of(&stored));
        }
        Ok(())
    }

    async fn load_filtered_policy<'a>(
        &mut self,
        m: &mut dyn Model,
        _f: Filter<'a>,
    ) -> casbin::Result<()> {
        // The policy is small: load it whole.
        self.load_policy(m).await
    }

    async fn save_policy(&mut self, m: &mut dyn Model) -> casbin::Result<()> {
        let mut rows = Vec::new();
        for sec in ["p", "g"] {
            if let Some(assertions) = m.get_model().get(sec) {
                for (ptype, assertion) in assertions {
                    rows.extend(assertion.get_policy().iter().map(|rule| row(ptype, rule)));
                }
            }
        }
        let txn = self.db.begin().await.map_err(adapter_error)?;
        Entity::delete_many()
            .exec(&txn)
            .await
            .map_err(adapter_error)?;
        if !rows.is_empty() {
            Entity::insert_many(rows)
                .exec(&txn)
                .await
                .map_err(adapter_error)?;
        }
        txn.commit().await.map_err(adapter_error)
    }

    async fn clear_policy(&mut self) -> casbin::Result<()> {
        Entity::delete_many()
            .exec(&self.db)
            .await
            .map(|_| ())
            .map_err(adapter_error)
    }

    fn is_filtered(&self) -> bool {
        false
    }

    async fn add_policy(
        &mut self,
        _sec: &str,
        ptype: &str,
        rule: Vec<String>,
    ) -> casbin::Result<bool> {
        Entity::insert(row(ptype, &rule))
            .exec(&self.db)
            .await
            .map(|_| true)
            .map_err(adapter_error)
    }

    async fn add_policies(
        &mut self,
        _sec: &str,
        ptype: &str,
        rules: Vec<Vec<String>>,
    ) -> casbin::Result<bool> {
        if rules.is_empty() {
            return Ok(true);
        }
        Entity::insert_many(rules.iter().map(|rule| row(ptype, rule)))
            .exec(&self.db)
            .await
            .map(|_| true)
            .map_err(adapter_error)
    }

    async fn remove_policy(
        &mut self,
        _sec: &str,
        ptype: &str,
        rule: Vec<String>,
    ) -> casbin::Result<bool> {
        Entity::delete_many()
            .filter(matching(ptype, &rule))
            .exec(&self.db)
            .await
            .map(|r| r.rows_affected > 0)
            .map_err(adapter_error)
    }

    async fn remove_policies(
        &mut self,
        _sec: &str,
        ptype: &str,
        rules: Vec<Vec<String>>,
    ) -> casbin::Result<bool> {
        let any = rules.iter().fold(Condition::any(), |cond, rule| {
            cond.add(matching(ptype, rule))
        });
        Entity::delete_many()
            .filter(any)
            .exec(&self.db)
            .await
            .map(|r| r.rows_affected > 0)
            .map_err(adapter_error)
    }

    async fn remove_filtered_policy(
        &mut self,
        _sec: &str,
        ptype: &str,
        field_index: usize,
        field_values: Vec<String>,
    ) -> casbin::Result<bool> {
        let mut cond = Condition::all().add(Column::Ptype.eq(ptype));
        for (offset, value) in field_values.into_iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            if let Some(column) = FIELDS.get(field_index + offset) {
                cond = cond.add(column.eq(value));
            }
        }
        Entity::delete_many()
            .filter(cond)
            .exec(&self.db)
            .await
            .map(|r| r.rows_affected > 0)
            .map_err(adapter_error)
    }
}
