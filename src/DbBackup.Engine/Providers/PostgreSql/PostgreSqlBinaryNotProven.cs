namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Thrown by <see cref="PostgreSqlTextToBinary"/> for a value outside the output grammar it reads exactly
/// (<see cref="PostgreSqlBinaryValues"/>): the piece's binary COPY is abandoned and the piece reloaded by COPY text,
/// so the server's own text input decides. Never escapes the load.</summary>
internal sealed class PostgreSqlBinaryNotProven(string message) : Exception(message);
