//! The server's tests over real HTTP on the loopback address, one binary for all (one link);
//! `hostile_clients` has a binary of its own: it counts its process's open files and memory.

mod asset_names;
mod common;
mod paired_devices;
mod security;
mod slow_requests;
mod team;
