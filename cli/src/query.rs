//! `--query`: a JMESPath expression (the `jmespath` crate) applied to the
//! JSON of the records before they are printed, as `aws --query` applies
//! one.
//!
//! The expression is checked before any request: its syntax, and the
//! functions it calls (their names and how many arguments each takes),
//! which the crate would only find out while searching. JMESPath's parser
//! and interpreter recurse once per level of nesting, so a deep expression
//! could overflow a thread's stack: expressions are at most
//! [`MAX_QUERY`] characters, and are parsed and run on a thread whose stack
//! holds that many levels with room to spare.

use jmespath::ast::Ast;
use jmespath::{Context, DEFAULT_RUNTIME, ErrorReason, JmespathError, RuntimeError, Variable};
use serde_json::Value;

use crate::exit::Failure;

/// The longest expression taken, in characters.
pub const MAX_QUERY: usize = 1000;

/// The stack of the thread that parses and runs an expression. A level of
/// nesting takes about 10 KiB of stack in a debug build (less in a release
/// build), and an expression of [`MAX_QUERY`] characters has at most that
/// many levels: 10 MiB.
const STACK: usize = 32 * 1024 * 1024;

/// A checked expression.
#[derive(Debug)]
pub struct Query(String);

impl Query {
    /// Checks `text`: a usage error that names the problem when it is not
    /// an expression this program can run.
    pub fn parse(text: &str) -> Result<Query, Failure> {
        let bad = |why: String| Failure::Usage(format!("--query {text:?}: {why}"));
        let length = text.chars().count();
        if length > MAX_QUERY {
            return Err(bad(format!(
                "{length} characters, more than the {MAX_QUERY} taken"
            )));
        }
        let checked = on_own_stack(|| {
            let expression = jmespath::compile(text).map_err(|e| describe(&e))?;
            check(expression.as_ast())
        })?;
        checked.map_err(bad)?;
        Ok(Query(text.to_owned()))
    }

    /// `--query` when given, checked.
    pub fn given(text: Option<&str>) -> Result<Option<Query>, Failure> {
        text.map(Query::parse).transpose()
    }

    /// The expression applied to `value`; `Err` says why it could not be
    /// (a function given a value of the wrong type, say).
    pub fn apply(&self, value: Value) -> Result<Value, Failure> {
        let found = on_own_stack(|| {
            let expression = jmespath::compile(&self.0).map_err(|e| describe(&e))?;
            let found = expression.search(value).map_err(|e| describe(&e))?;
            to_json(&found, &mut Budget::default())
        })?;
        found.map_err(|why| Failure::Usage(format!("--query {:?}: {why}", self.0)))
    }
}

/// The most values (strings, numbers, lists, objects, ...) a result may
/// hold. The crate shares values rather than copying them, so a short
/// expression (`[@,@,@,@,@,@,@,@,@,@]|[@,@,...]|...`) makes a result that
/// is many times its input, gigabytes when written out; a listing of
/// 10,000 workflows holds about 300,000.
pub const MAX_VALUES: usize = 4_000_000;

/// The most bytes of strings and keys a result may hold.
pub const MAX_TEXT: usize = 64 * 1024 * 1024;

/// What a result may still hold, spent as it is converted: the result is
/// refused before it takes more memory than the limits allow.
struct Budget {
    values: usize,
    text: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            values: MAX_VALUES,
            text: MAX_TEXT,
        }
    }
}

impl Budget {
    fn spend(&mut self, values: usize, text: usize) -> Result<(), String> {
        self.values = self.values.checked_sub(values).ok_or_else(|| {
            format!(
                "the result holds more than {} values (the limit); make the expression select \
                 less",
                crate::summary::thousands(MAX_VALUES as u64)
            )
        })?;
        self.text = self.text.checked_sub(text).ok_or_else(|| {
            "the result holds more than 64 MiB of text (the limit); make the expression select \
             less"
                .to_owned()
        })?;
        Ok(())
    }
}

/// What the search found, as JSON, within `budget`.
fn to_json(found: &Variable, budget: &mut Budget) -> Result<Value, String> {
    Ok(match found {
        Variable::Null => {
            budget.spend(1, 0)?;
            Value::Null
        }
        Variable::Bool(b) => {
            budget.spend(1, 0)?;
            Value::Bool(*b)
        }
        Variable::Number(n) => {
            budget.spend(1, 0)?;
            Value::Number(n.clone())
        }
        Variable::String(s) => {
            budget.spend(1, s.len())?;
            Value::String(s.clone())
        }
        Variable::Array(items) => {
            budget.spend(1, 0)?;
            let items = items.iter().map(|item| to_json(item, budget));
            Value::Array(items.collect::<Result<_, _>>()?)
        }
        Variable::Object(object) => {
            let keys: usize = object.keys().map(String::len).sum();
            budget.spend(1, keys)?;
            let mut map = serde_json::Map::new();
            for (key, value) in object {
                map.insert(key.clone(), to_json(value, budget)?);
            }
            Value::Object(map)
        }
        Variable::Expref(_) => {
            return Err(
                "the result is an expression reference (&...), which is no value: it \
                 is an argument of a function such as sort_by(@, &name)"
                    .into(),
            );
        }
    })
}

/// `work` on a thread with a stack of [`STACK`] bytes.
fn on_own_stack<T: Send>(work: impl FnOnce() -> T + Send) -> Result<T, Failure> {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("query".into())
            .stack_size(STACK)
            .spawn_scoped(scope, work)
            .map_err(|e| Failure::io("cannot start a thread for --query", &e))?;
        Ok(thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    })
}

/// The crate's error on one line: what is wrong and where. (Its `Display`
/// spreads over lines, with a caret under the place.)
fn describe(e: &JmespathError) -> String {
    let what = match &e.reason {
        ErrorReason::Parse(why) => why.clone(),
        ErrorReason::Runtime(why) => why.to_string(),
    };
    if e.expression.is_empty() {
        return what;
    }
    format!("{what} (at character {})", e.offset + 1)
}

/// What the crate only finds out while searching: a function that does
/// not exist, or is given too few or too many arguments; a slice whose
/// step is 0.
fn check(ast: &Ast) -> Result<(), String> {
    match ast {
        Ast::Function { name, args, .. } => {
            check_call(name, args.len())?;
            args.iter().try_for_each(check)
        }
        Ast::Slice { step: 0, .. } => Err("a slice's step cannot be 0".into()),
        Ast::Comparison { lhs, rhs, .. }
        | Ast::And { lhs, rhs, .. }
        | Ast::Or { lhs, rhs, .. }
        | Ast::Projection { lhs, rhs, .. }
        | Ast::Subexpr { lhs, rhs, .. } => check(lhs).and_then(|()| check(rhs)),
        Ast::Condition {
            predicate, then, ..
        } => check(predicate).and_then(|()| check(then)),
        Ast::Expref { ast, .. } => check(ast),
        Ast::Flatten { node, .. } | Ast::Not { node, .. } | Ast::ObjectValues { node, .. } => {
            check(node)
        }
        Ast::MultiList { elements, .. } => elements.iter().try_for_each(check),
        Ast::MultiHash { elements, .. } => elements.iter().try_for_each(|kv| check(&kv.value)),
        Ast::Identity { .. }
        | Ast::Field { .. }
        | Ast::Index { .. }
        | Ast::Literal { .. }
        | Ast::Slice { .. } => Ok(()),
    }
}

/// That `name` is a function, and takes `count` arguments. The crate's
/// functions check their arguments' number before their types, so a call
/// with `count` nulls says whether the number is right without doing
/// anything.
fn check_call(name: &str, count: usize) -> Result<(), String> {
    let Some(function) = DEFAULT_RUNTIME.get_function(name) else {
        return Err(format!("there is no function {name}()"));
    };
    let nulls = vec![jmespath::Rcvar::new(Variable::Null); count];
    let mut context = Context::new("", &DEFAULT_RUNTIME);
    match function.evaluate(&nulls, &mut context) {
        Err(JmespathError {
            reason:
                ErrorReason::Runtime(
                    why @ (RuntimeError::TooManyArguments { .. }
                    | RuntimeError::NotEnoughArguments { .. }),
                ),
            ..
        }) => Err(format!("{name}(): {why}")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn records() -> Value {
        json!([
            {"id": "a", "name": "first", "enabled": true, "tags": ["x", "y"]},
            {"id": "b", "name": "second", "enabled": false, "tags": []},
        ])
    }

    fn run(text: &str) -> Result<Value, String> {
        let query = Query::parse(text).map_err(|f| f.to_string())?;
        query.apply(records()).map_err(|f| f.to_string())
    }

    #[test]
    fn expressions_select_and_reshape() {
        assert_eq!(run("[].id").unwrap(), json!(["a", "b"]));
        assert_eq!(run("[?enabled].name").unwrap(), json!(["first"]));
        assert_eq!(
            run("[].{id: id, n: length(tags)}").unwrap(),
            json!([{"id": "a", "n": 2}, {"id": "b", "n": 0}])
        );
        assert_eq!(run("[0].missing").unwrap(), Value::Null);
        assert_eq!(run("length(@)").unwrap(), json!(2));
    }

    #[test]
    fn bad_expressions_are_usage_errors_that_say_why() {
        for (text, says) in [
            ("[?name==", "--query \"[?name==\": "),
            ("lenght(@)", "there is no function lenght()"),
            (
                "length(@, @)",
                "length(): Too many arguments: expected 1, found 2",
            ),
            ("[].join(',')", "join(): Not enough arguments"),
            ("[::0]", "a slice's step cannot be 0"),
            ("foo[?a == `{bad json`]", "--query"),
        ] {
            let Err(refusal) = Query::parse(text) else {
                panic!("{text} was taken");
            };
            assert_eq!(refusal.exit_code(), crate::exit::USAGE, "{text}");
            let message = refusal.to_string();
            assert!(message.contains(says), "{text}: {message}");
            assert!(!message.contains('\n'), "{text}: {message}");
        }
        let long = "a".repeat(MAX_QUERY + 1);
        let message = Query::parse(&long).unwrap_err().to_string();
        assert!(
            message.ends_with("1001 characters, more than the 1000 taken"),
            "{message}"
        );
    }

    #[test]
    fn a_type_error_while_searching_is_a_usage_error() {
        let message = run("length(enabled)").unwrap_err();
        assert!(message.contains("Argument 0 expects type"), "{message}");
    }

    /// Nesting as deep as the length allows, of every kind that recurses.
    #[test]
    fn the_deepest_expressions_fit_the_stack() {
        let n = MAX_QUERY;
        for text in [
            format!("{}a{}", "(".repeat(n / 2 - 1), ")".repeat(n / 2 - 1)),
            "!".repeat(n - 1) + "a",
            ["a"; 500].join("."),
            format!("a{}", "[]".repeat(n / 2 - 1)),
            format!("{}a{}", "{a:".repeat(n / 4 - 1), "}".repeat(n / 4 - 1)),
            format!("{}a{}", "[".repeat(n / 2 - 1), "]".repeat(n / 2 - 1)),
        ] {
            assert!(text.chars().count() <= MAX_QUERY);
            if let Ok(query) = Query::parse(&text) {
                let _ = query.apply(records());
            }
        }
    }

    /// An expression reference is a function's argument, not a value to
    /// print (it was printed as Rust's debugging text, with exit 0).
    #[test]
    fn an_expression_reference_is_no_result() {
        for text in ["&name", "[&id, &name]", "{a: &name}"] {
            let refusal = Query::parse(text).unwrap().apply(records()).unwrap_err();
            assert_eq!(refusal.exit_code(), crate::exit::USAGE, "{text}");
            let message = refusal.to_string();
            assert!(
                message.contains("an expression reference (&...)"),
                "{message}"
            );
        }
        assert_eq!(run("sort_by(@, &name)[0].id").unwrap(), json!("a"));
    }

    /// A result that the crate's shared values make far larger than its
    /// input is refused before it is written out (10^7 copies of the
    /// records: gigabytes), as a usage error that names the limit.
    #[test]
    fn a_result_over_the_limits_is_refused() {
        let e = "[@,@,@,@,@,@,@,@,@,@]";
        let text = [e; 7].join("|");
        let started = std::time::Instant::now();
        let refusal = run(&text).unwrap_err();
        assert!(
            refusal.contains("more than 4,000,000 values (the limit)"),
            "{refusal}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        // Ten copies of a 1 MiB name fit; a hundred do not.
        let long = json!([{"name": "x".repeat(1024 * 1024)}]);
        let ten = Query::parse(e).unwrap().apply(long.clone());
        assert_eq!(ten.unwrap().as_array().unwrap().len(), 10);
        let refusal = Query::parse(&[e; 2].join("|"))
            .unwrap()
            .apply(long)
            .unwrap_err();
        assert_eq!(refusal.exit_code(), crate::exit::USAGE);
        assert!(
            refusal.to_string().contains("more than 64 MiB of text"),
            "{refusal}"
        );
        // Just under: as it was.
        assert_eq!(run("[@,@]|[0][1].id").unwrap(), json!("b"));
    }

    /// Characters that make up JMESPath, so that generated text is often
    /// close to an expression.
    fn expression_like() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[a-z@*.|&!()\\[\\]{}:,?=<>`'\" 0-9-]{0,60}",
            "(length|join|sort_by|not_null|keys|max_by|contains)\\([a-z@&,`'\\[\\] 0-9]{0,12}\\)",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        /// Any text: parsed or refused as a usage error, never a panic;
        /// one that parses runs on the records, or is refused as one.
        #[test]
        fn any_text_is_an_expression_or_a_usage_error(text in expression_like()) {
            match Query::parse(&text) {
                Ok(query) => {
                    if let Err(refusal) = query.apply(records()) {
                        prop_assert_eq!(refusal.exit_code(), crate::exit::USAGE);
                    }
                }
                Err(refusal) => prop_assert_eq!(refusal.exit_code(), crate::exit::USAGE),
            }
        }
    }
}
