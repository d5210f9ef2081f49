import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * pgjdbc's DatabaseMetaData and connection behaviours against dsql, for test_pgjdbc.py: prints
 * one line per result row, `<call>|col=value|col=value...`, or `<call>|ERROR|<SQLSTATE> <message>`.
 *
 * Usage: java -cp postgresql.jar:. Metadata <jdbc url> <password>
 */
public class Metadata {
    static void print(String call, ResultSet rs, String... columns) throws SQLException {
        while (rs.next()) {
            StringBuilder line = new StringBuilder(call);
            for (String c : columns) {
                line.append('|').append(c).append('=').append(rs.getString(c));
            }
            System.out.println(line);
        }
    }

    interface Call {
        void run() throws SQLException;
    }

    static void attempt(String call, Call body) {
        try {
            body.run();
        } catch (SQLException e) {
            System.out.println(call + "|ERROR|" + e.getSQLState() + " " + e.getMessage());
        }
    }

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.setProperty("password", args[1]);
        try (Connection c = DriverManager.getConnection(args[0], props)) {
            DatabaseMetaData md = c.getMetaData();
            System.out.println("product|" + md.getDatabaseProductName() + "|" + md.getDatabaseMajorVersion());
            attempt("tables", () -> print("tables", md.getTables(null, "public", "%", new String[] {"TABLE"}),
                    "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE", "REMARKS"));
            attempt("shop", () -> print("shop", md.getTables(null, "shop", "%", null),
                    "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE"));
            attempt("columns", () -> print("columns", md.getColumns(null, "public", "orders", "%"),
                    "COLUMN_NAME", "TYPE_NAME", "DATA_TYPE", "COLUMN_SIZE", "DECIMAL_DIGITS",
                    "IS_NULLABLE", "COLUMN_DEF", "IS_AUTOINCREMENT", "ORDINAL_POSITION"));
            attempt("schemas", () -> print("schemas", md.getSchemas(), "TABLE_SCHEM"));
            attempt("functions", () -> print("functions", md.getFunctions(null, "public", "%"), "FUNCTION_NAME"));
            attempt("primary keys", () -> print("primary keys", md.getPrimaryKeys(null, "public", "orders"),
                    "COLUMN_NAME", "KEY_SEQ", "PK_NAME"));
            attempt("index info", () -> print("index info", md.getIndexInfo(null, "public", "orders", false, false),
                    "INDEX_NAME", "NON_UNIQUE", "COLUMN_NAME", "ORDINAL_POSITION", "ASC_OR_DESC"));
            attempt("type info", () -> print("type info", md.getTypeInfo(), "TYPE_NAME", "DATA_TYPE"));
            System.out.println("valid|" + c.isValid(5));
            // Named COMMIT and ROLLBACK statements, a transaction with a fetch size (a portal
            // fetched in parts), and the isolation level DSQL has.
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT id, status FROM orders WHERE id >= ? ORDER BY id")) {
                ps.setFetchSize(1);
                ps.setLong(1, 0);
                try (ResultSet rs = ps.executeQuery()) {
                    ResultSetMetaData rmd = rs.getMetaData();
                    System.out.println("fetch columns|" + rmd.getColumnTypeName(1) + "|" + rmd.getColumnTypeName(2));
                    print("fetch", rs, "id", "status");
                }
            }
            c.commit();
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO orders (id, customer_id) VALUES (99, 1)");
            }
            c.rollback();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) AS n FROM orders WHERE id = 99")) {
                print("rolled back", rs, "n");
            }
            c.commit();
        }
    }
}
