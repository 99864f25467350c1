//! `bare-reqwest-export ENDPOINT PROJECT_ID WORKSPACE_ID WORKFLOW_ID OUTPUT`,
//! with the IAM token in `SECMASTER_AUTH_TOKEN`: one export request, the body
//! streamed to OUTPUT and flushed to disk. What secmaster-client does at its
//! simplest, without its layer (signing, retries, typed errors, generated
//! types), for `cargo xtask bench`'s build-cost comparison.

use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [endpoint, project, workspace, workflow, output] = args.as_slice() else {
        return Err(
            "usage: bare-reqwest-export ENDPOINT PROJECT_ID WORKSPACE_ID WORKFLOW_ID OUTPUT".into(),
        );
    };
    let token = std::env::var("SECMASTER_AUTH_TOKEN")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let url = format!("{endpoint}/v1/{project}/workspaces/{workspace}/soc/workflows/export");
        let body = json_body(workflow);
        let mut response = client
            .post(url)
            .header("content-type", "application/json;charset=UTF-8")
            .header("x-auth-token", token)
            .body(body)
            .send()
            .await?
            .error_for_status()?;
        let mut file = std::fs::File::create(output)?;
        while let Some(chunk) = response.chunk().await? {
            file.write_all(&chunk)?;
        }
        file.sync_all()?;
        Ok(())
    })
}

/// `{"id":["<workflow>"]}`, with the id escaped as a JSON string.
fn json_body(workflow: &str) -> String {
    let mut body = String::from(r#"{"id":[""#);
    for c in workflow.chars() {
        match c {
            '"' => body.push_str("\\\""),
            '\\' => body.push_str("\\\\"),
            c if (c as u32) < 0x20 => body.push_str(&format!("\\u{:04x}", c as u32)),
            c => body.push(c),
        }
    }
    body.push_str(r#""]}"#);
    body
}
