using DbBackup.HelpGen;

// Usage: DbBackup.HelpGen <docsDir> <outDir>
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: DbBackup.HelpGen <docsDir> <outDir>");
    Console.Error.WriteLine("  reads platyPS markdown (docs/en-US/*.md) and writes <outDir>/<external help file> (MAML) and about_*.help.txt");
    return 2;
}

try
{
    foreach (var path in HelpGenerator.Generate(Path.GetFullPath(args[0]), Path.GetFullPath(args[1])))
        Console.WriteLine($"wrote {path}");
    return 0;
}
catch (HelpFormatException e)
{
    // MSBuild-style "file: error:" so the build log points at the page.
    Console.Error.WriteLine($"{e.Message.Insert(e.File.Length, ": error DBHELP1")}");
    return 1;
}
