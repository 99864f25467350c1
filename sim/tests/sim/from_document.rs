//! Every documented operation is answered: by the simulator's own behaviour,
//! or, for an operation it has none for, with a 200 made from the document
//! (its example, else a value made from the schema) that the document
//! accepts, and that the request log marks as synthesised.

use secmaster_sim::{EMBEDDED_DOCUMENT, Simulator, example_request, has_behaviour};
use serde_yaml::Value as Yaml;

use crate::support::{PROJECT, WORKSPACE, client};

/// Sends the operation's example request; returns status, Content-Type and
/// body, and whether the log says the answer was made from the document.
async fn call(
    sim: &Simulator,
    op: &secmaster_sim::Operation,
) -> (u16, Option<String>, Vec<u8>, bool) {
    let example = example_request(op, &[("project_id", PROJECT), ("workspace_id", WORKSPACE)]);
    let mut request = client().request(
        example.method.parse().unwrap(),
        format!("{}{}", sim.base_url(), example.path_and_query),
    );
    for (name, value) in &example.headers {
        request = request.header(name, value);
    }
    let response = request.body(example.body).send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = response.bytes().await.unwrap().to_vec();
    let synthesised = sim.last_request().unwrap().synthesised;
    (status, content_type, body, synthesised)
}

/// Answers every operation of `document`, printing which way each is
/// answered; fails naming each operation answered 501 or against the
/// document.
async fn every_operation_is_answered(document: &str) -> Vec<(String, bool)> {
    let sim = Simulator::builder()
        .document(document)
        .seed(PROJECT, WORKSPACE, 1)
        .start()
        .await
        .unwrap();
    let mut answered = Vec::new();
    let mut failures = Vec::new();
    for op in sim.contract().operations() {
        let (status, content_type, body, synthesised) = call(&sim, op).await;
        let how = if synthesised {
            "from the document"
        } else {
            "behaviour"
        };
        println!("{}: {how} ({status})", op.id);
        if status == 501 {
            failures.push(format!("{}: 501", op.id));
        }
        if let Err(e) =
            sim.contract()
                .check_response(&op.id, status, content_type.as_deref(), &body)
        {
            failures.push(format!("{}: {e}", op.id));
        }
        if synthesised == has_behaviour(op) {
            failures.push(format!("{}: has_behaviour disagrees with the log", op.id));
        }
        answered.push((op.id.clone(), synthesised));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    answered
}

#[tokio::test]
async fn every_operation_of_the_embedded_document_is_answered() {
    let answered = every_operation_is_answered(EMBEDDED_DOCUMENT).await;
    assert!(answered.len() >= 6, "{answered:?}");
}

/// The embedded document with three operations the simulator has no
/// behaviour for: a JSON list whose schema has bounds, an enum, known
/// values and required fields; a file; and a JSON answer with an example.
fn document_with_more_operations() -> String {
    let mut doc: Yaml = serde_yaml::from_str(EMBEDDED_DOCUMENT).unwrap();
    let more: Yaml = serde_yaml::from_str(
        r##"
paths:
  /v1/{project_id}/workspaces/{workspace_id}/soc/playbooks:
    get:
      operationId: list_playbooks
      parameters:
        - $ref: "#/components/parameters/project_id"
        - $ref: "#/components/parameters/workspace_id"
        - {name: limit, in: query, required: true, schema: {type: integer, minimum: 5, maximum: 50}}
      responses:
        "200":
          description: Playbooks.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/PlaybookList"}
        "403": {$ref: "#/components/responses/Forbidden"}
  /v1/{project_id}/workspaces/{workspace_id}/soc/playbooks/export:
    post:
      operationId: export_playbooks
      parameters:
        - $ref: "#/components/parameters/project_id"
        - $ref: "#/components/parameters/workspace_id"
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ExportWorkflowsRequest"}
      responses:
        "200":
          description: A zip.
          content:
            application/zip:
              schema: {type: string, format: binary}
  /v1/{project_id}/playbook-count:
    get:
      operationId: count_playbooks
      parameters:
        - $ref: "#/components/parameters/project_id"
      responses:
        "200":
          description: How many.
          content:
            application/json:
              schema: {type: object, properties: {count: {type: integer}}}
              example: {count: 7}
components:
  schemas:
    PlaybookList:
      type: object
      required: [total, data, state]
      properties:
        total: {type: integer, minimum: 3}
        state: {type: string, enum: [ON, OFF], default: OFF}
        success: {type: boolean}
        data:
          type: array
          items:
            type: object
            required: [id, kind]
            properties:
              id: {type: string}
              kind: {type: string, x-known-values: [A, B]}
              enabled: {type: boolean}
              score: {type: number}
"##,
    )
    .unwrap();
    for section in ["paths", "components"] {
        merge(&mut doc[section], &more[section]);
    }
    serde_yaml::to_string(&doc).unwrap()
}

/// Adds the keys of `from` to `into`, one mapping level deeper where both
/// have a mapping.
fn merge(into: &mut Yaml, from: &Yaml) {
    for (key, value) in from.as_mapping().unwrap() {
        match into.get_mut(key) {
            Some(existing) if existing.is_mapping() => merge(existing, value),
            _ => {
                into.as_mapping_mut()
                    .unwrap()
                    .insert(key.clone(), value.clone());
            }
        }
    }
}

#[tokio::test]
async fn an_operation_without_behaviour_is_answered_from_the_document() {
    let synthesised = |answered: Vec<(String, bool)>| -> Vec<String> {
        answered
            .into_iter()
            .filter(|(_, synthesised)| *synthesised)
            .map(|(id, _)| id)
            .collect()
    };
    // What the embedded document already answers from itself, then the
    // three operations added here.
    let mut expected = synthesised(every_operation_is_answered(EMBEDDED_DOCUMENT).await);
    expected.extend(["list_playbooks", "export_playbooks", "count_playbooks"].map(String::from));
    let document = document_with_more_operations();
    assert_eq!(
        synthesised(every_operation_is_answered(&document).await),
        expected
    );

    let sim = Simulator::builder()
        .document(document.as_str())
        .seed(PROJECT, WORKSPACE, 0)
        .start()
        .await
        .unwrap();
    let op = |id: &str| sim.contract().operation(id).unwrap().clone();

    // Made from the schema: bounds, enums and known values respected; in
    // the service's envelope, a success (a made-up `false` would be the
    // service refusing).
    let (status, _, body, _) = call(&sim, &op("list_playbooks")).await;
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 200);
    assert_eq!(
        body,
        serde_json::json!({
            "total": 3,
            "state": "OFF",
            "success": true,
            "data": [{"id": "example", "kind": "A", "enabled": false, "score": 0}],
        })
    );
    // A file: some bytes, of the documented media type.
    let (status, content_type, body, _) = call(&sim, &op("export_playbooks")).await;
    assert_eq!(
        (status, content_type.as_deref()),
        (200, Some("application/zip"))
    );
    assert!(!body.is_empty());
    // The documented example, as it is.
    let (_, _, body, _) = call(&sim, &op("count_playbooks")).await;
    assert_eq!(body, br#"{"count":7}"#);

    // The workspace must exist here too.
    let unknown = client()
        .get(format!(
            "{}/v1/{PROJECT}/workspaces/nowhere/soc/playbooks?limit=5",
            sim.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 403);
}
