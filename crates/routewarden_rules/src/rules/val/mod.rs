pub mod mass_assignment;
pub mod permissive_request_model;
pub mod unvalidated_request_body;
