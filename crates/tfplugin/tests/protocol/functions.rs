//! Provider-defined functions: GetFunctions and CallFunction.

use super::*;

#[tokio::test]
async fn functions_are_described_and_called_with_argument_errors() {
    let mut client = connect().await;
    let listed = client
        .get_functions(pb::get_functions::Request {})
        .await
        .expect("functions")
        .into_inner();
    let repeat = &listed.functions["repeat"];
    assert_eq!(repeat.parameters.len(), 2);
    assert_eq!(repeat.parameters[1].r#type, b"\"number\"");
    let schema = client
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("schema")
        .into_inner();
    assert!(schema.functions.contains_key("repeat"));

    let call = |args: Vec<Value>| pb::call_function::Request {
        name: "repeat".into(),
        arguments: args
            .iter()
            .zip([Type::String, Type::Number])
            .map(|(v, t)| dv(v, &t).expect("argument"))
            .collect(),
    };
    let ok = client
        .call_function(call(vec![Value::string("ab"), Value::int(3)]))
        .await
        .expect("call")
        .into_inner();
    let result = ok.result.expect("a result");
    assert_eq!(
        value::decode_msgpack(&result.msgpack, &Type::String).expect("decodes"),
        Value::string("ababab")
    );
    assert!(ok.error.is_none());

    let refused = client
        .call_function(call(vec![Value::string("ab"), Value::int(-1)]))
        .await
        .expect("call")
        .into_inner();
    let error = refused.error.expect("an error");
    assert_eq!(error.function_argument, Some(1));
    assert!(refused.result.is_none());

    let null = client
        .call_function(call(vec![Value::Null, Value::int(1)]))
        .await
        .expect("call")
        .into_inner();
    assert_eq!(null.error.expect("an error").function_argument, Some(0));

    let unknown = client
        .call_function(pb::call_function::Request {
            name: "nope".into(),
            arguments: Vec::new(),
        })
        .await
        .expect("call")
        .into_inner();
    assert!(
        unknown
            .error
            .expect("an error")
            .text
            .contains("no function")
    );
}
