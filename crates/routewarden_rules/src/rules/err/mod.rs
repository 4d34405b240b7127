pub mod exception_details_in_response;
pub mod unhandled_lookup_in_route;
