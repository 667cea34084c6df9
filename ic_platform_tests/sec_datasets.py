"""SEC Form 13F data sets written as the SEC publishes them (a zip of tab-separated tables with the
SEC's full headers, dates as 14-FEB-2024), from a real filing's holdings."""

import zipfile
from pathlib import Path

import polars as pl

SUBMISSION_HEADER = "ACCESSION_NUMBER\tFILING_DATE\tSUBMISSIONTYPE\tCIK\tPERIODOFREPORT"
COVERPAGE_HEADER = (
    "ACCESSION_NUMBER\tREPORTCALENDARORQUARTER\tISAMENDMENT\tAMENDMENTNO\tAMENDMENTTYPE\tCONFDENIEDEXPIRED\t"
    "DATEDENIEDEXPIRED\tDATEREPORTED\tREASONFORNONCONFIDENTIALITY\tFILINGMANAGER_NAME\tFILINGMANAGER_STREET1\t"
    "FILINGMANAGER_STREET2\tFILINGMANAGER_CITY\tFILINGMANAGER_STATEORCOUNTRY\tFILINGMANAGER_ZIPCODE\tREPORTTYPE\t"
    "FORM13FFILENUMBER\tCRDNUMBER\tSECFILENUMBER\tPROVIDEINFOFORINSTRUCTION5\tADDITIONALINFORMATION"
)
INFOTABLE_HEADER = (
    "ACCESSION_NUMBER\tINFOTABLE_SK\tNAMEOFISSUER\tTITLEOFCLASS\tCUSIP\tFIGI\tVALUE\tSSHPRNAMT\tSSHPRNAMTTYPE\t"
    "PUTCALL\tINVESTMENTDISCRETION\tOTHERMANAGER\tVOTING_AUTH_SOLE\tVOTING_AUTH_SHARED\tVOTING_AUTH_NONE"
)
ACCESSION = "0001790837-23-000002"


def infotable_tsv(holdings: pl.DataFrame, accession: str = ACCESSION) -> bytes:
    """INFOTABLE.tsv holding `holdings` (as `parse_thirteenf_submission` reads a filing's)."""
    lines = [INFOTABLE_HEADER]
    for number, row in enumerate(holdings.iter_rows(named=True), start=1):
        lines.append(
            f"{accession}\t{number}\t{row['issuer_name']}\t{row['title_of_class']}\t{row['cusip']}\t\t"
            f"{row['reported_value']:.0f}\t{row['shares']:.0f}\t{row['shares_type']}\t{row['put_call'] or ''}\t"
            f"{row['investment_discretion'] or ''}\t\t{row['shares']:.0f}\t0\t0"
        )
    return ("\n".join(lines) + "\n").encode()


def write_dataset(path: Path, infotable: bytes, accession: str = ACCESSION) -> Path:
    """A data set zip at `path` (`2022q4_form13f.zip`) for one filing with `infotable` as its INFOTABLE.tsv."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "SUBMISSION.tsv", f"{SUBMISSION_HEADER}\n{accession}\t14-FEB-2023\t13F-HR\t1790837\t31-DEC-2022\n"
        )
        archive.writestr(
            "COVERPAGE.tsv",
            f"{COVERPAGE_HEADER}\n{accession}\t31-DEC-2022\tN\t\t\t\t\t\t\tBull Street Advisors, LLC"
            + "\t" * 11
            + "\n",
        )
        archive.writestr("INFOTABLE.tsv", infotable)
        archive.writestr("OTHERMANAGER.tsv", "ACCESSION_NUMBER\tOTHERMANAGER_SK\tCIK\tFORM13FFILENUMBER\tNAME\n")
    return path
