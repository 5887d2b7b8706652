export {
  BUNDLED_DATABASE_FILE,
  BUNDLED_DATABASE_PACKAGE,
  bundledDatabasePath,
  type CountryDatabase,
  type CountryDatabaseFileInfo,
  type CountryDatabaseInfo,
  type CountryDatabaseOptions,
  openCountryDatabase,
} from "./country-database.js";
