using System.Collections;
using System.Management.Automation;

namespace DbBackup.PowerShell.Bridge;

/// <summary>Lets -Label take 'env=prod' (or several such strings) as well as @{ env = 'prod' }: the CLI's
/// --label form is what people type first. Anything else is left for the parameter binder to refuse.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class LabelArgumentAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        var texts = value switch
        {
            string s => [s],
            object[] items when items.All(i => (i is PSObject p ? p.BaseObject : i) is string) => items.Select(i => (string)(i is PSObject p ? p.BaseObject : i)).ToArray(),
            _ => (string[]?)null,
        };
        if (texts is null) return inputData;
        var table = new Hashtable(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            var eq = text.IndexOf('=');
            if (eq <= 0)
                throw new ArgumentTransformationMetadataException(
                    $"The label '{text}' is not key=value. Give -Label env=prod, several as -Label env=prod,team=ops, or a hashtable @{{ env = 'prod' }}.");
            table[text[..eq].Trim()] = text[(eq + 1)..];
        }
        return table;
    }
}
