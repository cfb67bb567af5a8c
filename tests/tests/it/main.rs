//! The end-to-end tests, one binary for all (one link): each module drives the real app (or
//! the command line, or a team server) from outside, as a user or a client would.

mod app;
mod csp;
mod header;
mod hostile;
mod kill;
mod library;
mod own_model;
mod predictions;
mod preference;
mod ratings;
mod score;
mod similarity;
mod tablet;
mod team;
mod team_queue;
mod touch;
