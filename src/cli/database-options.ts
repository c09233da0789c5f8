import { Option } from "commander";

/** `--database` and `--data-dir`, the same on every command that opens the database. */
export const databaseOption = () =>
  new Option("-d, --database <url>", "postgres://… for a server; default embedded PGlite under DATA_DIR").env(
    "DATABASE_URL",
  );

export const dataDirOption = () =>
  new Option("--data-dir <dir>", "where embedded PGlite (and the development keys) live").env("DATA_DIR");
