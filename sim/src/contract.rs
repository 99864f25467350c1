//! The OpenAPI document, reduced to what requests are checked against and
//! answers are made from: its operations ([`Operation`], read from the
//! document by the `openapi` module). Built once from the document text.

use crate::media::MediaType;
use crate::openapi;
pub use crate::openapi::ContractError;
pub use crate::operation::Operation;
use crate::shape;

/// `openapi/secmaster.yaml` as it was when this crate was built.
pub const EMBEDDED_DOCUMENT: &str = include_str!("../../openapi/secmaster.yaml");

/// Every operation of one document.
#[derive(Debug, Clone)]
pub struct Contract {
    pub(crate) operations: Vec<Operation>,
}

impl Contract {
    /// The document this crate was built with.
    pub fn embedded() -> Contract {
        Contract::from_yaml(EMBEDDED_DOCUMENT).expect("the embedded document is checked by tests")
    }

    /// Reads an OpenAPI 3.0 document (YAML or JSON).
    pub fn from_yaml(text: &str) -> Result<Contract, ContractError> {
        Ok(Contract {
            operations: openapi::read(text)?,
        })
    }

    /// Every operation, in document order.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The operation with this `operationId`.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.id == id)
    }

    /// Whether a response conforms to the document: its status is
    /// documented for the operation, its media type is one of that status's,
    /// and a JSON body fits the schema. Tests use it on the simulator's own
    /// answers.
    pub fn check_response(
        &self,
        operation_id: &str,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(), String> {
        let op = self
            .operation(operation_id)
            .ok_or_else(|| format!("no operation {operation_id}"))?;
        let media = op
            .response(status)
            .ok_or_else(|| format!("status {status} is not documented for {}", op.id))?;
        if media.is_empty() {
            return Ok(());
        }
        let given = MediaType::parse(content_type.ok_or("the response has no Content-Type")?);
        let spec = media
            .iter()
            .find(|m| m.media.essence == given.essence)
            .ok_or_else(|| {
                format!(
                    "{} {status} answered {:?}, not a documented media type",
                    op.id, given.essence
                )
            })?;
        if spec.is_json() {
            let value: serde_json::Value = serde_json::from_slice(body)
                .map_err(|e| format!("the response is not JSON: {e}"))?;
            shape::check_json(&spec.shape, &value, "response")?;
        }
        Ok(())
    }
}
