using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace DbBackup.PowerShell.Tests;

/// <summary>Declarations of the built module checked without running it: verbs, output types,
/// pipeline binding, ShouldProcess, manifest exports, format views and the load-context layout.</summary>
public sealed class CmdletMetadataTests : IClassFixture<BuiltModule>
{
    // PowerShell's approved verbs (VerbsCommon, VerbsCommunications, VerbsData, VerbsDiagnostic,
    // VerbsLifecycle, VerbsSecurity, VerbsOther), as Get-Verb lists them.
    private static readonly HashSet<string> ApprovedVerbs = new(StringComparer.Ordinal)
    {
        "Add", "Clear", "Close", "Copy", "Enter", "Exit", "Find", "Format", "Get", "Hide", "Join", "Lock", "Move", "New",
        "Open", "Optimize", "Pop", "Push", "Redo", "Remove", "Rename", "Reset", "Resize", "Search", "Select", "Set", "Show",
        "Skip", "Split", "Step", "Switch", "Undo", "Unlock", "Watch",
        "Connect", "Disconnect", "Read", "Receive", "Send", "Write",
        "Backup", "Checkpoint", "Compare", "Compress", "Convert", "ConvertFrom", "ConvertTo", "Dismount", "Edit", "Expand",
        "Export", "Group", "Import", "Initialize", "Limit", "Merge", "Mount", "Out", "Publish", "Restore", "Save", "Sync",
        "Unpublish", "Update",
        "Debug", "Measure", "Ping", "Repair", "Resolve", "Test", "Trace",
        "Approve", "Assert", "Build", "Complete", "Confirm", "Deny", "Deploy", "Disable", "Enable", "Install", "Invoke",
        "Register", "Request", "Restart", "Resume", "Start", "Stop", "Submit", "Suspend", "Uninstall", "Unregister", "Wait",
        "Block", "Grant", "Protect", "Revoke", "Unblock", "Unprotect",
        "Use",
    };

    private static readonly string[] StateChangingVerbs = ["Copy", "Start", "Stop", "Save", "Import", "Restore", "Remove", "Set", "New", "Invoke", "Register"];

    private static readonly string[] ExpectedCmdlets =
    [
        "Copy-DbBackup", "Get-DbBackup", "Get-DbBackupLog", "Get-DbBackupPolicy", "Get-DbBackupRepository", "Get-DbBackupRestore", "Get-DbBackupStatus", "Import-DbBackup",
        "Invoke-DbBackupPolicy", "New-DbBackupPolicy", "Register-DbBackupSchedule", "Remove-DbBackup", "Remove-DbBackupPolicy", "Remove-DbBackupRestore", "Restore-DbBackup",
        "Save-DbBackup", "Set-DbBackup", "Set-DbBackupPolicy", "Set-DbBackupRepository", "Start-DbBackup",
        "Stop-DbBackup", "Test-DbBackup", "Wait-DbBackup",
    ];

    private readonly BuiltModule _module;

    public CmdletMetadataTests(BuiltModule module) => _module = module;

    [Fact]
    public void The_module_has_exactly_the_cmdlets_of_the_specification()
        => Assert.Equal(ExpectedCmdlets, _module.CmdletTypes.Select(c => c.Name).Order(StringComparer.Ordinal));

    [Fact]
    public void Every_cmdlet_uses_an_approved_verb_and_the_Db_noun_prefix()
    {
        foreach (var c in _module.CmdletTypes)
        {
            Assert.True(ApprovedVerbs.Contains(c.Verb), $"{c.Name}: '{c.Verb}' is not an approved verb");
            Assert.StartsWith("Db", c.Noun);
        }
    }

    [Fact]
    public void Every_cmdlet_declares_OutputType_with_types_that_exist()
    {
        foreach (var c in _module.CmdletTypes)
        {
            var outputTypes = c.Type.GetCustomAttributesData().Where(a => a.AttributeType.FullName == "System.Management.Automation.OutputTypeAttribute").ToList();
            Assert.True(outputTypes.Count > 0, $"{c.Name} has no [OutputType]");
            foreach (var a in outputTypes)
                foreach (var arg in (IEnumerable<CustomAttributeTypedArgument>)a.ConstructorArguments[0].Value!)
                    Assert.IsAssignableFrom<Type>(arg.Value);
        }
    }

    [Fact]
    public void Every_parameter_set_has_a_pipeline_bindable_parameter_and_at_most_one_ValueFromPipeline()
    {
        foreach (var c in _module.CmdletTypes)
            foreach (var set in c.ParameterSets)
            {
                var inSet = c.InSet(set).ToList();
                Assert.True(inSet.Any(p => p.FromPipeline || p.FromPipelineByName), $"{c.Name} set {set}: nothing binds from the pipeline");
                Assert.True(inSet.Count(p => p.FromPipeline) <= 1, $"{c.Name} set {set}: more than one ValueFromPipeline parameter");
            }
    }

    [Fact]
    public void Every_Id_parameter_binds_records_from_the_pipeline_by_property_name()
    {
        var withId = _module.CmdletTypes.Where(c => c.Parameters.Any(p => p.Name == "Id")).ToList();
        Assert.True(withId.Count >= 9, "fewer cmdlets than expected take -Id: " + string.Join(", ", withId));
        foreach (var c in withId)
            Assert.All(c.Parameters.Where(p => p.Name == "Id"), p => Assert.True(p.FromPipelineByName, $"{c.Name} -Id is not ValueFromPipelineByPropertyName"));
    }

    [Fact]
    public void State_changing_cmdlets_support_ShouldProcess_and_Restore_has_high_impact()
    {
        foreach (var c in _module.CmdletTypes.Where(c => StateChangingVerbs.Contains(c.Verb)))
            Assert.True(c.SupportsShouldProcess, $"{c.Name} changes state but does not support ShouldProcess");
        Assert.Equal(3, _module.CmdletTypes.Single(c => c.Name == "Restore-DbBackup").ConfirmImpact);
        Assert.All(_module.CmdletTypes.Where(c => c.Verb == "Get"), c => Assert.False(c.SupportsShouldProcess, c.Name));
    }

    [Fact]
    public void Listing_cmdlets_support_paging()
    {
        Assert.True(_module.CmdletTypes.Single(c => c.Name == "Get-DbBackup").SupportsPaging);
        Assert.True(_module.CmdletTypes.Single(c => c.Name == "Get-DbBackupLog").SupportsPaging);
    }

    [Fact]
    public void Credential_is_a_PSCredential_and_shared_parameters_have_one_type_everywhere()
    {
        var all = _module.CmdletTypes.SelectMany(c => c.Parameters.Select(p => (Cmdlet: c, Parameter: p))).ToList();
        var credentials = all.Where(x => x.Parameter.Name == "Credential").ToList();
        Assert.Contains(credentials, x => x.Cmdlet.Name == "Start-DbBackup");
        Assert.All(credentials, x => Assert.Equal("System.Management.Automation.PSCredential", x.Parameter.Property.PropertyType.FullName));

        // -Database takes names and wildcards (string[]) everywhere but where it names one database:
        // the one Restore-DbBackup replaces, the one database (or pattern) a policy holds.
        string[] single = ["Restore-DbBackup", "New-DbBackupPolicy", "Set-DbBackupPolicy"];
        var databases = all.Where(x => x.Parameter.Name == "Database").ToList();
        Assert.All(databases, x => Assert.Equal(single.Contains(x.Cmdlet.Name) ? "System.String" : "System.String[]", x.Parameter.Property.PropertyType.FullName));
        foreach (var name in new[] { "Engine", "Server", "Port", "Repository", "ConnectionString" })
        {
            var types = all.Where(x => x.Parameter.Name == name).Select(x => x.Parameter.Property.PropertyType.FullName).Distinct().ToList();
            Assert.True(types.Count == 1, $"-{name} has several types: {string.Join(", ", types)}");
        }
        Assert.All(_module.CmdletTypes, c => Assert.Contains(c.Parameters, p => p.Name == "Repository"));
    }

    [Fact]
    public void The_manifest_exports_exactly_the_cmdlets_and_targets_PowerShell_7_6_Core()
    {
        var psd1 = File.ReadAllText(Path.Combine(_module.Directory, "DbBackup.psd1"));
        var block = Regex.Match(psd1, @"CmdletsToExport\s*=\s*@\((?<list>[^)]*)\)").Groups["list"].Value;
        var exported = Regex.Matches(block, "'([^']+)'").Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal);
        Assert.Equal(_module.CmdletTypes.Select(c => c.Name).Order(StringComparer.Ordinal), exported);

        Assert.Matches(@"PowerShellVersion\s*=\s*'7\.6'", psd1);
        Assert.Matches(@"CompatiblePSEditions\s*=\s*@\('Core'\)", psd1);
        Assert.Matches(@"RootModule\s*=\s*'DbBackup\.dll'", psd1);
        Assert.Matches(@"FormatsToProcess\s*=\s*@\('DbBackup\.format\.ps1xml'\)", psd1);
        Assert.Matches(@"GUID\s*=\s*'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'", psd1);
        foreach (var key in new[] { "ModuleVersion", "Description", "Tags", "Author", "Copyright" })
            Assert.Matches(key + @"\s*=", psd1);
        // The license the manifest names ships beside it; no made-up project or license address.
        Assert.Matches(@"Copyright\s*=\s*'[^']*MIT License", psd1);
        Assert.StartsWith("MIT License", File.ReadAllText(Path.Combine(_module.Directory, "LICENSE")));
        Assert.DoesNotMatch(@"(LicenseUri|ProjectUri)\s*=\s*'https://github\.com/dbbackup/", psd1);
        Assert.Matches(@"FunctionsToExport\s*=\s*@\(\)", psd1);
        Assert.Matches(@"AliasesToExport\s*=\s*@\(\)", psd1);
    }

    [Fact]
    public void The_format_file_is_valid_and_every_view_names_a_model_type_that_exists()
    {
        var doc = XDocument.Load(Path.Combine(_module.Directory, "DbBackup.format.ps1xml"));
        var typeNames = doc.Descendants("ViewSelectedBy").Elements("TypeName").Select(e => e.Value.Trim()).ToList();
        foreach (var required in new[] { "BackupRecord", "RestoreRecord", "StatusReport", "ActivityEntry", "VerificationResult", "RepositoryInfo", "BackupPolicy", "PolicyRunResult", "ScheduleRegistration" })
            Assert.Contains("DbBackup.Model." + required, typeNames);
        foreach (var name in typeNames)
            Assert.True(_module.Model.GetType(name) is not null, $"format view names {name}, which DbBackup.Model.dll does not define");

        foreach (var view in doc.Descendants("View"))
        {
            var type = _module.Model.GetType(view.Element("ViewSelectedBy")!.Element("TypeName")!.Value.Trim())!;
            var control = view.Element("TableControl") ?? view.Element("ListControl");
            Assert.NotNull(control);
            var used = control!.Descendants("PropertyName").Select(p => p.Value);
            foreach (var property in used)
                Assert.True(type.GetProperty(property) is not null, $"{type.Name} has no property {property} used by its view");
            if (view.Element("TableControl") is not { } table) continue;
            var headers = table.Descendants("TableColumnHeader").Select(h => h.Element("Label")?.Value).ToList();
            Assert.Equal(headers.Count, table.Descendants("TableColumnItem").Count());
            // What the user sees is what Select-Object/Sort-Object take.
            if (!ViewsWithLabelsNotYetProperties.Contains(type.Name))
                foreach (var header in headers)
                    Assert.True(header is not null && type.GetProperty(header) is not null, $"{type.Name}'s table view shows a column '{header}' that is not a property name");
        }
    }

    /// <summary>Views whose headers are still display labels; shrink to empty.</summary>
    private static readonly HashSet<string> ViewsWithLabelsNotYetProperties = ["RepositoryInfo"];

    [Fact]
    public void The_engine_and_Npgsql_live_in_Dependencies_and_not_beside_the_cmdlets()
    {
        var dependencies = Path.Combine(_module.Directory, "Dependencies");
        foreach (var dll in new[] { "DbBackup.Engine.dll", "Npgsql.dll", "MySqlConnector.dll", "Microsoft.Extensions.Logging.Abstractions.dll", "Azure.Storage.Blobs.dll", "Azure.Identity.dll", "AWSSDK.S3.dll", "Cronos.dll", "ZstdSharp.dll" })
        {
            Assert.True(File.Exists(Path.Combine(dependencies, dll)), $"{dll} missing from Dependencies/");
            Assert.False(File.Exists(Path.Combine(_module.Directory, dll)), $"{dll} must not sit beside DbBackup.dll");
        }
        var rootDlls = Directory.GetFiles(_module.Directory, "*.dll").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(["DbBackup.Model.dll", "DbBackup.dll"], rootDlls);
        Assert.False(File.Exists(Path.Combine(dependencies, "DbBackup.Model.dll")), "the model must load only in the default context");
        Assert.False(File.Exists(Path.Combine(dependencies, "System.Management.Automation.dll")));
        Assert.False(File.Exists(Path.Combine(_module.Directory, "System.Management.Automation.dll")));
    }

    [Fact]
    public void Every_assembly_in_Dependencies_finds_its_references_in_Dependencies_or_the_shared_framework()
    {
        // The private load context serves only Dependencies/ and falls back to the framework: a package
        // assembly whose own dependency was not shipped would fail only when a store is first opened.
        var dependencies = Path.Combine(_module.Directory, "Dependencies");
        var shipped = Directory.GetFiles(dependencies, "*.dll").Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var framework = Directory.GetFiles(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "*.dll")
            .Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = new List<string>();
        foreach (var dll in Directory.GetFiles(dependencies, "*.dll"))
        {
            using var stream = File.OpenRead(dll);
            using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
            var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
            foreach (var handle in metadata.AssemblyReferences)
            {
                var name = metadata.GetString(metadata.GetAssemblyReference(handle).Name);
                if (name is "DbBackup.Model" || shipped.Contains(name) || framework.Contains(name)) continue;
                missing.Add($"{Path.GetFileName(dll)} -> {name}");
            }
        }
        Assert.Empty(missing);
    }

    [Fact]
    public void Public_types_of_the_cmdlet_assembly_never_mention_engine_types_in_their_shape()
    {
        // PowerShell reflects over the public types while importing, before the resolver that finds the
        // engine in Dependencies/ is registered: a public signature naming an engine type would fail the import.
        var isolated = new[] { "DbBackup.Engine", "Npgsql", "MySqlConnector" };
        bool Isolated(Type t) => t.HasElementType ? Isolated(t.GetElementType()!)
            : (t.IsGenericType && t.GetGenericArguments().Any(Isolated)) || isolated.Contains(t.Assembly.GetName().Name);
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var problems = new List<string>();
        foreach (var type in _module.Cmdlets.GetExportedTypes())
        {
            for (var b = type.BaseType; b is not null; b = b.BaseType) if (Isolated(b)) problems.Add($"{type} derives from {b}");
            problems.AddRange(type.GetInterfaces().Where(Isolated).Select(i => $"{type} implements {i}"));
            problems.AddRange(type.GetFields(all).Where(f => Isolated(f.FieldType)).Select(f => $"{type}.{f.Name} is a {f.FieldType}"));
            problems.AddRange(type.GetProperties(all).Where(p => Isolated(p.PropertyType)).Select(p => $"{type}.{p.Name} is a {p.PropertyType}"));
            foreach (var m in type.GetMethods(all).Where(m => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly))
                if (Isolated(m.ReturnType) || m.GetParameters().Any(p => Isolated(p.ParameterType)))
                    problems.Add($"{type}.{m.Name} has an engine type in its signature");
        }
        Assert.Empty(problems);
        Assert.Contains(_module.Cmdlets.GetReferencedAssemblies(), a => a.Name == "DbBackup.Engine");
    }

    [Fact]
    public void The_module_initializer_is_public_and_implements_the_PowerShell_load_hooks()
    {
        var initializer = _module.Cmdlets.GetExportedTypes().Single(t => t.GetInterfaces().Any(i => i.FullName == "System.Management.Automation.IModuleAssemblyInitializer"));
        Assert.Contains(initializer.GetInterfaces(), i => i.FullName == "System.Management.Automation.IModuleAssemblyCleanup");
        Assert.NotNull(_module.Cmdlets.GetType("DbBackup.PowerShell.WorkerEntryPoint")?.GetMethod("Run", [_module.Context.CoreAssembly!.GetType("System.String")!, _module.Context.CoreAssembly!.GetType("System.String")!]));
    }
}
