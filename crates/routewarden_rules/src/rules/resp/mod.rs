pub mod sensitive_field_in_response;
