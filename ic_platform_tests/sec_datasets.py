"""SEC Form 13F data sets written as the SEC publishes them (a zip of tab-separated tables with the
SEC's full headers, dates as 14-FEB-2024), from a real filing's holdings."""

import zipfile
from datetime import date
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


INSIDER_HEADERS = {  # the SEC's insider-transaction data set tables, with their full headers
    "SUBMISSION.tsv": "ACCESSION_NUMBER FILING_DATE PERIOD_OF_REPORT DATE_OF_ORIG_SUB NO_SECURITIES_OWNED "
    "NOT_SUBJECT_SEC16 FORM3_HOLDINGS_REPORTED FORM4_TRANS_REPORTED DOCUMENT_TYPE ISSUERCIK ISSUERNAME "
    "ISSUERTRADINGSYMBOL REMARKS AFF10B5ONE",
    "REPORTINGOWNER.tsv": "ACCESSION_NUMBER RPTOWNERCIK RPTOWNERNAME RPTOWNER_RELATIONSHIP RPTOWNER_TITLE "
    "RPTOWNER_TXT RPTOWNER_STREET1 RPTOWNER_STREET2 RPTOWNER_CITY RPTOWNER_STATE RPTOWNER_ZIPCODE "
    "RPTOWNER_STATE_DESC FILE_NUMBER",
    "NONDERIV_TRANS.tsv": "ACCESSION_NUMBER NONDERIV_TRANS_SK SECURITY_TITLE SECURITY_TITLE_FN TRANS_DATE "
    "TRANS_DATE_FN DEEMED_EXECUTION_DATE DEEMED_EXECUTION_DATE_FN TRANS_FORM_TYPE TRANS_CODE EQUITY_SWAP_INVOLVED "
    "EQUITY_SWAP_TRANS_CD_FN TRANS_TIMELINESS TRANS_TIMELINESS_FN TRANS_SHARES TRANS_SHARES_FN TRANS_PRICEPERSHARE "
    "TRANS_PRICEPERSHARE_FN TRANS_ACQUIRED_DISP_CD TRANS_ACQUIRED_DISP_CD_FN SHRS_OWND_FOLWNG_TRANS "
    "SHRS_OWND_FOLWNG_TRANS_FN VALU_OWND_FOLWNG_TRANS VALU_OWND_FOLWNG_TRANS_FN DIRECT_INDIRECT_OWNERSHIP "
    "DIRECT_INDIRECT_OWNERSHIP_FN NATURE_OF_OWNERSHIP NATURE_OF_OWNERSHIP_FN",
    "DERIV_TRANS.tsv": "ACCESSION_NUMBER DERIV_TRANS_SK SECURITY_TITLE SECURITY_TITLE_FN CONV_EXERCISE_PRICE "
    "CONV_EXERCISE_PRICE_FN TRANS_DATE TRANS_DATE_FN DEEMED_EXECUTION_DATE DEEMED_EXECUTION_DATE_FN TRANS_FORM_TYPE "
    "TRANS_CODE EQUITY_SWAP_INVOLVED EQUITY_SWAP_TRANS_CD_FN TRANS_TIMELINESS TRANS_TIMELINESS_FN TRANS_SHARES "
    "TRANS_SHARES_FN TRANS_TOTAL_VALUE TRANS_TOTAL_VALUE_FN TRANS_PRICEPERSHARE TRANS_PRICEPERSHARE_FN "
    "TRANS_ACQUIRED_DISP_CD TRANS_ACQUIRED_DISP_CD_FN EXCERCISE_DATE EXCERCISE_DATE_FN EXPIRATION_DATE "
    "EXPIRATION_DATE_FN UNDLYNG_SEC_TITLE UNDLYNG_SEC_TITLE_FN UNDLYNG_SEC_SHARES UNDLYNG_SEC_SHARES_FN "
    "UNDLYNG_SEC_VALUE UNDLYNG_SEC_VALUE_FN SHRS_OWND_FOLWNG_TRANS SHRS_OWND_FOLWNG_TRANS_FN VALU_OWND_FOLWNG_TRANS "
    "VALU_OWND_FOLWNG_TRANS_FN DIRECT_INDIRECT_OWNERSHIP DIRECT_INDIRECT_OWNERSHIP_FN NATURE_OF_OWNERSHIP "
    "NATURE_OF_OWNERSHIP_FN",
}


def _sec_day(day) -> str:
    return "" if day is None else day.strftime("%d-%b-%Y").upper()


def _number(value) -> str:
    return "" if value is None else str(int(value)) if float(value).is_integer() else repr(float(value))


def insider_tables(filings: list[tuple[str, date, list[dict]]]) -> dict[str, bytes]:
    """The data set's tables holding `filings`: (accession, filing date, the rows `parse_ownership`
    reads from its document)."""
    lines: dict[str, list[dict]] = {name: [] for name in INSIDER_HEADERS}
    for accession, filed, rows in filings:
        first = rows[0]
        lines["SUBMISSION.tsv"].append(
            {
                "ACCESSION_NUMBER": accession,
                "FILING_DATE": _sec_day(filed),
                "PERIOD_OF_REPORT": _sec_day(first["period_of_report"]),
                "DOCUMENT_TYPE": first["form"],
                "ISSUERCIK": str(first["issuer_cik"]),
                "ISSUERTRADINGSYMBOL": first["ticker"],
            }
        )
        owners = {row["owner_cik"]: row for row in rows}
        for cik, row in owners.items():
            roles = [r for r, flag in (("Director", "is_director"), ("Officer", "is_officer")) if row[flag]]
            roles += ["TenPercentOwner"] if row["is_ten_percent_owner"] else []
            lines["REPORTINGOWNER.tsv"].append(
                {
                    "ACCESSION_NUMBER": accession,
                    "RPTOWNERCIK": f"{cik:010d}",
                    "RPTOWNERNAME": row["owner_name"],
                    "RPTOWNER_RELATIONSHIP": ",".join(roles) or "Other",
                    "RPTOWNER_TITLE": row["officer_title"] or "",
                }
            )
        transactions = {row["transaction_index"]: row for row in rows}
        for index, row in sorted(transactions.items()):
            table, key = (
                ("DERIV_TRANS.tsv", "DERIV_TRANS_SK")
                if row["is_derivative"]
                else ("NONDERIV_TRANS.tsv", "NONDERIV_TRANS_SK")
            )
            lines[table].append(
                {
                    "ACCESSION_NUMBER": accession,
                    key: str(1000 + index),
                    "SECURITY_TITLE": row["security"],
                    "TRANS_DATE": _sec_day(row["transaction_date"]),
                    "TRANS_CODE": row["code"],
                    "TRANS_SHARES": _number(row["shares"]),
                    "TRANS_PRICEPERSHARE": _number(row["price"]),
                    "TRANS_ACQUIRED_DISP_CD": row["acquired_disposed"] or "",
                    "SHRS_OWND_FOLWNG_TRANS": _number(row["shares_owned_after"]),
                    "DIRECT_INDIRECT_OWNERSHIP": row["direct_indirect"] or "",
                }
            )
    tables = {}
    for name, header in INSIDER_HEADERS.items():
        columns = header.split()
        body = ["\t".join(columns)] + ["\t".join(line.get(c, "") for c in columns) for line in lines[name]]
        tables[name] = ("\n".join(body) + "\n").encode()
    return tables


def write_insider_dataset(path: Path, tables: dict[str, bytes]) -> Path:
    """A data set zip at `path` (`2025q1_form345.zip`) holding `tables`."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in tables.items():
            archive.writestr(name, body)
    return path
