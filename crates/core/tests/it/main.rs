//! The core's integration tests, one binary for all (one link, one PostgreSQL cluster, and
//! the modules' tests sharing the test threads): each module tests one capability through the
//! crate's public API on real temp folders, databases and models. `hostile_imports` has a
//! binary of its own: it measures its process's peak memory.

#[macro_use]
mod common;
mod app;
mod app_storage;
mod cluster;
mod disk_full;
mod duplicate_groups;
mod exports;
mod formats;
mod gallery;
mod hostile_packs;
mod inference;
mod judgements;
mod migration;
mod model_faults;
mod near_duplicates;
mod old_tool;
mod own_model_export;
mod pack_install;
mod packs;
mod personal;
mod preference;
mod properties;
mod queue_window;
mod ranking_log;
mod scan;
mod serve;
mod similarity;
mod store;
mod team;
mod team_queue;
mod team_simulation;
mod thumbnails;
mod watch;
