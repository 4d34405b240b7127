pub mod jwt_claims_not_verified;
pub mod jwt_signature_not_verified;
pub mod jwt_unsafe_algorithms;
