//! The fields of the records the commands list, as the API document
//! (`openapi/secmaster.yaml`) describes them, in its order: the one list
//! that the check before an import and the columns of TSV and CSV read.

/// The properties of `AopWorkflowInfo` (a workflow).
pub const WORKFLOW: &[&str] = &[
    "id",
    "name",
    "description",
    "project_id",
    "owner_id",
    "creator_id",
    "creator_name",
    "create_time",
    "modifier_id",
    "modifier_name",
    "update_time",
    "edit_role",
    "use_role",
    "approve_role",
    "enabled",
    "workspace_id",
    "version_id",
    "current_approval_version_id",
    "current_rejected_version_id",
    "current_rejected_versoin_id",
    "aop_type",
    "engine_type",
    "dataclass_id",
    "dataclass_name",
    "labels",
    "version",
];

/// The properties of `Workspace`.
pub const WORKSPACE: &[&str] = &[
    "id",
    "create_time",
    "update_time",
    "name",
    "description",
    "creator_id",
    "creator_name",
    "modifier_id",
    "modifier_name",
    "project_id",
    "project_name",
    "domain_id",
    "domain_name",
    "enterprise_project_id",
    "enterprise_project_name",
    "is_view",
    "region_id",
    "view_bind_id",
    "view_bind_name",
    "workspace_agency_list",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The properties of `schema` in the API document, in its order.
    fn properties(schema: &str) -> Vec<String> {
        let document: serde_yaml::Value =
            serde_yaml::from_str(include_str!("../../openapi/secmaster.yaml")).unwrap();
        let properties = &document["components"]["schemas"][schema]["properties"];
        let keys = properties.as_mapping().unwrap().keys();
        keys.map(|k| k.as_str().unwrap().to_owned()).collect()
    }

    /// The lists are the document's properties, in its order.
    #[test]
    fn the_lists_are_the_documents() {
        assert_eq!(properties("AopWorkflowInfo"), WORKFLOW);
        assert_eq!(properties("Workspace"), WORKSPACE);
    }
}
